"""Wall-clock timing, peak memory and progress messages."""

import contextlib
import os
import re
import resource
import sys
import time
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_started = time.perf_counter()


def say(message: str) -> None:
    """A progress line on stderr, stamped with the seconds since the process started."""
    print(f"[{time.perf_counter() - _started:8.1f}s] {message}", file=sys.stderr, flush=True)


class Timer:
    seconds: float = 0.0  # wall clock
    cpu_seconds: float = 0.0  # this process's CPU time (the database server's is not in it)
    # The machine's one-minute load average before and after: the figures of a shared
    # machine are only as steady as its load.
    load: tuple[float, float] = (0.0, 0.0)

    def figures(self) -> dict:
        return {"seconds": self.seconds, "cpu_seconds": self.cpu_seconds, "load": self.load}


@contextlib.contextmanager
def timed(label: str | None = None):
    timer = Timer()
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        yield timer
    finally:
        timer.seconds = time.perf_counter() - start
        timer.cpu_seconds = time.process_time() - cpu_start
        timer.load = (load_before, os.getloadavg()[0])
        if label:
            say(
                f"{label}: {timer.seconds:.2f} s (CPU {timer.cpu_seconds:.2f} s, "
                f"load {timer.load[0]:.1f} -> {timer.load[1]:.1f})"
            )


def reset_peak_memory() -> bool:
    """Start a new high-water mark of resident memory (Linux: clear_refs 5 resets VmHWM).
    Returns False where that is not possible; the peak is then the whole process's."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_memory_mb() -> float:
    """Resident memory high-water mark in MiB: VmHWM since the last reset, else ru_maxrss."""
    try:
        match = re.search(r"^VmHWM:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        match = None
    if match:
        return int(match.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
