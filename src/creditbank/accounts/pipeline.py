"""One stage of a stream's work, run in a worker process a few items ahead of the caller.

A bulk deposit reads its file in chunks. Making a chunk ready (parsing, checks,
HMAC index, sealing new accounts) needs no database and costs about as much
Python as storing it; threads cannot run both at once (the GIL), so
:func:`pipelined` can hand that stage to ONE worker process on the other core,
while the caller stores the chunk before.

- **When.** The first ``policy.after`` items are handled here. If more come,
  the worker is started (a new interpreter: the web app has threads, so no
  ``fork``), and items go on being handled here until it has started (a small
  file is done before that), unless ``policy.wait`` says to wait for it.
- **State in one place.** The stage is a picklable callable with state (a bulk
  deposit's: the record ids seen so far). It is used here until the worker is
  ready, then sent to it, state included, and used only there.
- **Order and memory.** Items are read from the caller's iterator on a feeder
  thread here, sent pickled to the worker, and the results come back in order.
  At most ``ahead`` items are in flight.
- **Errors.** The stage's exception in the worker is raised here in that item's
  turn; the iterator's (an unreadable file) after the results of the items read
  before it; a worker that dies raises :class:`WorkerDiedError`. However the
  caller leaves the loop, the feeder stops and the worker is ended and waited for.
  Close the generator (``contextlib.closing``) so that this happens at once.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from itertools import chain, islice
from multiprocessing.connection import Connection
from typing import Any, Final, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

_READY: Final = "ready"
_RESULT: Final = "result"
_FAILED: Final = "failed"
_DONE: Final = "done"
_END: Final = None  # sent after the last item
_STOP_TIMEOUT = 10.0  # seconds for a worker to end before it is killed
_BOOT = (  # the worker's ``python -c``: the parent's module path (argv[1]), then serve()
    f"import json, sys; sys.path[:] = json.loads(sys.argv[1]); from {__name__} import serve; "
    "serve()"
)


@dataclass(frozen=True, slots=True)
class WorkerPolicy:
    """When the worker process takes the stage over.

    ``after``: items handled here first; the worker starts only when more follow (None: never,
    everything here). ``wait``: wait for the worker to start instead of handling items here
    meanwhile (so tests can send even small streams through it).
    """

    after: int | None = 1
    wait: bool = False


AUTO = WorkerPolicy()
IN_PROCESS = WorkerPolicy(after=None)


class WorkerDiedError(RuntimeError):
    """The worker process ended without finishing (killed, out of memory, a crash)."""


class WorkerFailedError(RuntimeError):
    """The stage raised an exception in the worker that could not be sent back as it was."""


def pipelined(
    items: Iterable[In],
    stage: Callable[[In], Out],
    *,
    policy: WorkerPolicy = AUTO,
    ahead: int = 2,
) -> Generator[Out, None, None]:
    """``stage(item)`` for every item, in order, by a worker process once the stream proves long
    (see the module docstring). Items must be picklable and never None."""
    iterator = iter(items)
    if policy.after is None:
        yield from map(stage, iterator)
        return
    head = deque(islice(iterator, policy.after + 1))
    if len(head) <= policy.after:  # no more than that: not worth a process
        yield from map(stage, head)
        return
    for _ in range(policy.after):
        yield stage(head.popleft())
    worker = _Worker(type(stage).__module__)
    try:
        while not (policy.wait or worker.ready()):
            item = head.popleft() if head else next(iterator, None)
            if item is None:  # the stream ended while the worker was starting
                return
            yield stage(item)
        yield from worker.run(stage, chain(head, iterator), ahead)
    finally:
        worker.stop()


def serve() -> None:
    """The worker process (``python -c``, see :class:`_Worker`): import the stage's module, say
    so, then take the stage and its items, and send each result back (or the stage's exception,
    and stop)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when this ends
    items_fd, results_fd, module = sys.argv[2:5]
    inbox = Connection(int(items_fd), writable=False)
    outbox = Connection(int(results_fd), readable=False)
    importlib.import_module(module)
    try:
        outbox.send((_READY, None))
        stage = inbox.recv()
        while (item := inbox.recv()) is not _END:
            try:
                result = stage(item)
            except Exception as error:  # noqa: BLE001 - every failure goes back to the parent
                outbox.send((_FAILED, _portable(error)))
                return
            outbox.send((_RESULT, result))
        outbox.send((_DONE, None))
    except (EOFError, OSError):  # the parent has gone or stopped us: nothing to tell
        return


def _portable(error: Exception) -> BaseException:
    """``error`` with the worker's traceback as a note, in a form that can be pickled to the
    parent: itself if it survives pickling, else :class:`WorkerFailedError` with its text."""
    text = "".join(traceback.format_exception(error))
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    except Exception:  # noqa: BLE001 - e.g. an exception whose constructor takes other args
        return WorkerFailedError(text)
    error.add_note(f"raised in the worker process:\n{text}")
    return error


class _Worker:
    """The worker process, the two pipes to it and the feeder thread.

    Started as ``python -c`` rather than by :mod:`multiprocessing`, whose ``spawn`` imports the
    parent's main module again in the child (a CLI, a server, a script: slow at best).
    """

    def __init__(self, module: str) -> None:
        items_there, items_here = os.pipe()
        results_here, results_there = os.pipe()
        try:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and code
                [
                    sys.executable,
                    "-c",
                    _BOOT,
                    json.dumps(sys.path),  # where this process finds its modules, as spawn does
                    str(items_there),
                    str(results_there),
                    module,
                ],
                pass_fds=(items_there, results_there),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except BaseException:
            os.close(items_here)
            os.close(results_here)
            raise
        finally:
            os.close(items_there)  # the worker holds these ends: their closing is how we
            os.close(results_there)  # learn that it has gone (EOFError, BrokenPipeError)
        self._inbox = Connection(results_here, writable=False)
        self._outbox = Connection(items_here, readable=False)
        self._started = False
        self._done = False  # every result received: the worker ends by itself
        self._stopping = threading.Event()
        self._slots = threading.Semaphore(0)
        self._feeder: threading.Thread | None = None
        self._feed_error: BaseException | None = None

    def ready(self) -> bool:
        """Whether the worker has started (without waiting)."""
        if not self._started and self._inbox.poll():
            self._expect(_READY)
            self._started = True
        return self._started

    def run(self, stage: Callable[[In], Out], items: Iterator[In], ahead: int) -> Iterator[Out]:
        if not self._started:
            self._expect(_READY)
            self._started = True
        try:
            self._outbox.send(stage)
        except OSError:
            raise WorkerDiedError(self._death()) from None
        self._slots = threading.Semaphore(ahead)
        self._feeder = threading.Thread(
            target=self._feed, args=(items,), name="creditbank-bulk-feeder", daemon=True
        )
        self._feeder.start()
        while (result := self._receive()) is not _END:
            self._slots.release()
            yield result
        self._feeder.join()
        if self._feed_error is not None:
            raise self._feed_error

    def _feed(self, items: Iterator[Any]) -> None:
        """Send the items, at most ``ahead`` beyond the results taken; then the end mark."""
        try:
            for item in items:
                self._slots.acquire()
                if self._stopping.is_set():
                    return
                self._outbox.send(item)
        except (BrokenPipeError, ConnectionResetError):  # the worker died: _receive says so
            return
        except BaseException as error:  # noqa: BLE001 - the iterator's: raised in its turn
            self._feed_error = error
        try:
            self._outbox.send(_END)
        except OSError:
            return

    def _receive(self) -> Any:  # noqa: ANN401 - a result of the stage, or _END
        try:
            kind, payload = self._inbox.recv()
        except EOFError:
            raise WorkerDiedError(self._death()) from None
        if kind == _FAILED:
            raise payload
        if kind == _RESULT:
            return payload
        self._done = True
        return _END

    def _expect(self, wanted: str) -> None:
        try:
            kind, _ = self._inbox.recv()
        except EOFError:
            raise WorkerDiedError(self._death()) from None
        if kind != wanted:
            raise WorkerDiedError(f"the bulk worker said {kind!r}, not {wanted!r}")

    def _death(self) -> str:
        try:
            code = self._process.wait(_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = None
        return f"the bulk worker process ended (exit code {code})"

    def stop(self) -> None:
        """End the worker (at once unless it finished) and the feeder; close the pipes."""
        self._stopping.set()
        self._slots.release()  # a feeder waiting for a slot sees the stop
        with suppress(subprocess.TimeoutExpired):
            self._process.wait(_STOP_TIMEOUT if self._done else 0)
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._feeder is not None:
            self._feeder.join()
        self._inbox.close()
        self._outbox.close()
