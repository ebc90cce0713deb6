"""A maximum flow (Edmonds-Karp) for sharing elective credits among the caps."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence


class Network:
    """A flow network with integer capacities; Edmonds-Karp (shortest augmenting paths)."""

    def __init__(self) -> None:
        self.edges: list[list[int]] = []
        self.head: list[int] = []
        self.capacity: list[int] = []

    def node(self) -> int:
        self.edges.append([])
        return len(self.edges) - 1

    def add(self, tail: int, head: int, capacity: int) -> int:
        """Add an edge and its reverse; return the edge's index."""
        edge = len(self.head)
        self.head += [head, tail]
        self.capacity += [capacity, 0]
        self.edges[tail].append(edge)
        self.edges[head].append(edge + 1)
        return edge

    def flow(self, edge: int) -> int:
        return self.capacity[edge ^ 1]

    def push(self, path: Sequence[int]) -> int:
        """Push what ``path`` (a list of edges) still carries; return how much."""
        amount = min(self.capacity[edge] for edge in path)
        for edge in path:
            self.capacity[edge] -= amount
            self.capacity[edge ^ 1] += amount
        return amount

    def saturated(self, edge: int) -> bool:
        return self.capacity[edge] == 0

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            reached = {source: -1}
            queue = deque([source])
            while queue and sink not in reached:
                node = queue.popleft()
                for edge in self.edges[node]:
                    head = self.head[edge]
                    if self.capacity[edge] > 0 and head not in reached:
                        reached[head] = edge
                        queue.append(head)
            if sink not in reached:
                return total
            path: list[int] = []
            node = sink
            while node != source:
                edge = reached[node]
                path.append(edge)
                node = self.head[edge ^ 1]
            total += self.push(path)
