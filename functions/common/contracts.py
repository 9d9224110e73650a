"""Generate (or check) the JSON Schemas of the message contracts in docs/contracts/.

python -m common.contracts            write docs/contracts/<Model>.schema.json
python -m common.contracts --check    exit 1 and name the stale files when they differ
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common.messages import CONTRACTS

# functions/common/contracts.py -> the repository root is two levels above functions/.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "docs" / "contracts"


def render() -> dict[str, str]:
    """File name -> JSON text of each contract's schema (validation mode: what a consumer accepts)."""
    out = {}
    for model in CONTRACTS:
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{model.__name__}.schema.json"}
        schema |= model.model_json_schema(mode="validation")
        out[f"{model.__name__}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def stale(directory: Path = DEFAULT_DIR) -> list[str]:
    """Names of schema files that are missing, different, or no longer generated."""
    expected = render()
    present = {p.name for p in directory.glob("*.schema.json")} if directory.is_dir() else set()
    wrong = [name for name, text in expected.items() if not (directory / name).is_file() or (directory / name).read_text() != text]
    return sorted(wrong + sorted(present - expected.keys()))


def write(directory: Path = DEFAULT_DIR) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    expected = render()
    for name in stale(directory):
        path = directory / name
        if name in expected:
            path.write_text(expected[name])
        else:
            path.unlink()
    return sorted(expected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.contracts", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a schema file is stale")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="output directory (default: docs/contracts)")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale(args.dir)
        if bad:
            print(f"contracts: stale in {args.dir}: {', '.join(bad)} (run python -m common.contracts)", file=sys.stderr)
            return 1
        print(f"contracts: {args.dir} is current")
        return 0
    names = write(args.dir)
    print(f"contracts: wrote {len(names)} schemas to {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
