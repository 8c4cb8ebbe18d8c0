"""Short synthetic recordings so that the QA console works out of the box.

Each file is a few seconds of two alternating "voices" (an agent and a caller at different
pitches): syllables of harmonic tones with a falling pitch contour and a smooth envelope,
separated by short gaps and longer turn pauses, over a faint noise floor. 8 kHz 16-bit mono,
like telephone audio; deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
import wave
from array import array
from pathlib import Path

VOICES = (210.0, 125.0)  # agent, caller: fundamental frequencies in Hz
_AMPLITUDE = 9000


def _syllable(rng: random.Random, f0: float, rate: int) -> array[int]:
    length = int(rate * rng.uniform(0.12, 0.26))
    weights = [rng.uniform(0.2, 1.0) / h for h in range(1, 6)]  # a vowel-like timbre
    start, end = f0 * rng.uniform(1.0, 1.15), f0 * rng.uniform(0.85, 1.0)
    samples = array("h")
    phase = 0.0
    for n in range(length):
        pitch = start + (end - start) * n / length
        phase += 2 * math.pi * pitch / rate
        envelope = math.sin(math.pi * n / length) ** 2
        value = sum(w * math.sin(h * phase) for h, w in enumerate(weights, start=1))
        noise = rng.uniform(-0.02, 0.02)
        samples.append(int(_AMPLITUDE * (envelope * value / 2 + noise)))
    return samples


def _silence(rng: random.Random, seconds: float, rate: int) -> array[int]:
    return array(
        "h", (int(_AMPLITUDE * rng.uniform(-0.01, 0.01)) for _ in range(int(seconds * rate)))
    )


def synthesize(seconds: float, *, rate: int = 8000, seed: int = 1) -> array[int]:
    """About ``seconds`` of speech-like audio as 16-bit samples."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo audio, not security
    total = int(seconds * rate)
    samples = _silence(rng, 0.3, rate)
    speaker = 0
    while len(samples) < total:
        for _ in range(rng.randint(4, 9)):
            samples.extend(_syllable(rng, VOICES[speaker], rate))
            samples.extend(_silence(rng, rng.uniform(0.03, 0.1), rate))
        samples.extend(_silence(rng, rng.uniform(0.3, 0.6), rate))
        speaker = 1 - speaker
    return samples[:total]


def write_wav(path: Path, samples: array[int], *, rate: int = 8000) -> Path:
    """Write 16-bit mono samples as a WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def write_demo_recordings(
    directory: Path, *, count: int = 4, seconds: float = 6.0, rate: int = 8000, seed: int = 1
) -> list[Path]:
    """Write ``count`` demo recordings ``demo-1.wav``... into ``directory`` (created).

    Args:
        directory: Where to write them.
        count: How many files (1-50).
        seconds: Length of each (1-120 s).
        rate: Sample rate in Hz.
        seed: Makes the audio reproducible; file n uses ``seed + n``.

    Raises:
        ValueError: ``count`` or ``seconds`` out of range.
    """
    if not 1 <= count <= 50:
        raise ValueError(f"count {count} must be from 1 to 50")
    if not 1 <= seconds <= 120:
        raise ValueError(f"seconds {seconds} must be from 1 to 120")
    directory.mkdir(parents=True, exist_ok=True)
    return [
        write_wav(
            directory / f"demo-{n}.wav", synthesize(seconds, rate=rate, seed=seed + n), rate=rate
        )
        for n in range(1, count + 1)
    ]
