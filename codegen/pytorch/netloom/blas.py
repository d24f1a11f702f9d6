"""Which BLAS PyTorch multiplies with on the CPU, and whether it is the slow reference one.

pip's torch ships MKL or OpenBLAS. Debian's python3-torch is built against the generic libblas.so.3 and takes
whatever the system's alternatives point to: by default the reference BLAS, 5-10x slower on these models than an
optimised one, with nothing saying so. The library actually loaded is read from the process's memory map after one
product.
"""

import os

import torch

ADVICE = (
    "PyTorch multiplies with the reference BLAS here, 5-10x slower than an optimised one: "
    "install libopenblas0-pthread (Debian: apt-get install libopenblas0-pthread), or PyTorch from pip, which ships MKL or OpenBLAS"
)

_KNOWN = (("mkl", "MKL"), ("openblas", "OpenBLAS"), ("blis", "BLIS"), ("atlas", "ATLAS"), ("accelerate", "Accelerate"))


def _loaded_blas():
    """The path of the BLAS library this process loaded, where the system tells (Linux)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() or "mkl" in line.lower()}
    except OSError:
        return None
    libraries = sorted(os.path.realpath(path) for path in paths if path.startswith("/"))
    return libraries[0] if libraries else None


def describe():
    """(name, reference): the BLAS torch uses on the CPU, and whether it is the reference implementation."""
    config = torch.__config__.show()
    info = next((part.split("=", 1)[1] for part in config.replace(",", " ").split() if part.startswith("BLAS_INFO=")), "")
    if info and info != "generic":
        return ({"mkl": "MKL", "open": "OpenBLAS", "blis": "BLIS", "accelerate": "Accelerate"}.get(info, info), False)
    torch.ones(2, 2) @ torch.ones(2, 2)
    path = _loaded_blas()
    if path is None:
        return ("unknown", False)
    lowered = path.lower()
    for key, name in _KNOWN:
        if key in lowered:
            return (name, False)
    # Debian's reference BLAS lives in .../blas/libblas.so.3 (the alternatives' default).
    return (f"reference BLAS ({path})", True)
