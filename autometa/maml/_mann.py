"""Memory-augmented neural networks (Santoro, Bartunov, Botvinick, Wierstra and Lillicrap, 2016)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from autometa.exceptions import DataError
from autometa.maml._base import Params, _full_precision, embedding_dim
from autometa.maml._protonet import ProtoNet
from autometa.tasks.fewshot import Episode

__all__ = ["MANN"]


class MANN(ProtoNet):
    """A memory-augmented neural network: an LSTM controller with an external memory and least-recently-used access.

    The support set is presented as a sequence, each example with the label of the
    *previous* step as input (the paper's offset, so the network must hold an
    example until its label arrives and bind the two in memory); one last step
    presents the last label alone. Each step the controller (an LSTM over the
    embedded example and the one-hot previous label) emits a key; it is written to
    the memory with the paper's least-recently-used access (LRUA: the write weights
    interpolate, by a learned sigmoid gate, between the previous read weights and the
    least-used slot, which is cleared first; usage decays by :attr:`usage_decay`) and
    read back by cosine similarity (scaled by :attr:`scale`). A query is one more step
    from the state after the support, with no label: the logits are a linear map of
    the controller's output and what it read. Queries are answered independently from
    that state (the paper streams them too, writing as it goes).

    The embedding is the model's body (as :class:`ProtoNet`'s); the controller, keys,
    gate and output layer are meta-parameters beside it. The number of ways is the
    training family's (the label input and the output layer have that size).
    """

    name = "mann"
    #: the label input and the output layer have the training family's number of ways
    fixed_ways = True
    #: LSTM units of the controller (the paper: 200), memory slots and slot width (the paper: 128 x 40)
    hidden = 128
    slots = 128
    width = 40
    #: decay of the usage weights (the paper's gamma)
    usage_decay = 0.95
    #: cosine similarities are multiplied by this before the softmax of the read weights
    scale = 10.0

    def _init_extra(self, model: nn.Module) -> Params:
        dtype = next(model.parameters()).dtype
        dim = embedding_dim(model, self.input_shape_)
        ways, h, w = self.n_outputs_, self.hidden, self.width
        shapes = {"mann.ih": (4 * h, dim + ways), "mann.hh": (4 * h, h), "mann.key": (w, h), "mann.gate": (1, h),
                  "mann.out": (ways, h + w)}
        extra = {}
        for name, (fan_out, fan_in) in shapes.items():
            bound = 1.0 / math.sqrt(fan_in)  # nn.Linear's initialisation
            extra[name + ".weight"] = (torch.rand(fan_out, fan_in, dtype=dtype) * 2 - 1) * bound
            extra[name + ".bias"] = (torch.rand(fan_out, dtype=dtype) * 2 - 1) * bound
        return extra

    def _lstm(self, params: Params, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, ...]:
        gates = F.linear(x, params["mann.ih.weight"], params["mann.ih.bias"]) + \
            F.linear(h, params["mann.hh.weight"], params["mann.hh.bias"])
        i, f, g, o = gates.chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c

    def _read_weights(self, key: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.scale * (F.normalize(key, dim=-1) @ F.normalize(memory, dim=-1).T), dim=-1)

    def _support_state(self, params: Params, sx: torch.Tensor, sy: torch.Tensor) -> Params:
        z = _full_precision(self._forward(self._model_params(params), sx)).reshape(len(sx), -1)
        ways = self.n_outputs_
        labels = F.one_hot(sy, ways).to(z.dtype)
        # step t sees example t and the label of step t - 1; a last step shows the last label alone
        inputs = torch.cat([torch.cat([z, torch.zeros(1, z.shape[1], dtype=z.dtype)]),
                            torch.cat([torch.zeros(1, ways, dtype=z.dtype), labels])], dim=1)
        h = torch.zeros(self.hidden, dtype=z.dtype)
        c = torch.zeros(self.hidden, dtype=z.dtype)
        memory = torch.full((self.slots, self.width), 1e-6, dtype=z.dtype)
        read = torch.zeros(self.slots, dtype=z.dtype)
        usage = torch.zeros(self.slots, dtype=z.dtype)
        least = F.one_hot(torch.tensor(0), self.slots).to(z.dtype)
        for x in inputs:
            h, c = self._lstm(params, x, h, c)
            key = torch.tanh(F.linear(h, params["mann.key.weight"], params["mann.key.bias"]))
            gate = torch.sigmoid(F.linear(h, params["mann.gate.weight"], params["mann.gate.bias"]))
            write = gate * read + (1 - gate) * least
            memory = memory * (1 - least)[:, None] + write[:, None] * key[None, :]
            read = self._read_weights(key, memory)
            usage = self.usage_decay * usage + read + write
            least = F.one_hot(torch.argmin(usage), self.slots).to(z.dtype)
        return {"h": h, "c": c, "memory": memory}

    def _query_logits(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        z = _full_precision(self._forward(self._model_params(params), x)).reshape(len(x), -1)
        inputs = torch.cat([z, torch.zeros(len(z), self.n_outputs_, dtype=z.dtype)], dim=1)
        h, _ = self._lstm(params, inputs, state["h"].expand(len(z), -1), state["c"].expand(len(z), -1))
        key = torch.tanh(F.linear(h, params["mann.key.weight"], params["mann.key.bias"]))
        read = self._read_weights(key, state["memory"]) @ state["memory"]
        return F.linear(torch.cat([h, read], dim=1), params["mann.out.weight"], params["mann.out.bias"])

    def _task_loss(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                   qy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self._query_logits(params, self._support_state(params, sx, sy), qx)
        return self._loss(out, qy), self._metric(out, qy)

    def _adapt_task(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        return self._support_state(params, sx, sy)

    def _predict_task(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        return self._query_logits(params, state, x)

    def _evaluate_batch(self, episode: Episode, steps: int) -> torch.Tensor:
        if int(episode.ways or 0) > self.n_outputs_:
            raise DataError(f"This MANN was meta-trained on {self.n_outputs_}-way tasks: its label input and output "
                            f"layer have {self.n_outputs_} classes, so it cannot answer {episode.ways}-way tasks. "
                            f"Evaluate on at most {self.n_outputs_} ways, or meta-train with --ways {episode.ways}.")
        return super()._evaluate_batch(episode, steps)
