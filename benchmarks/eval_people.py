"""False warnings of "more than one person in view" on clips that show one person.

Every shared real clip (../shared/clips/MANIFEST.tsv) and every rendered clip shows one
person; each is read with the real model and the check for a second person, and the
checks that found someone else are counted.  No clip should give the warning.

    python benchmarks/eval_people.py
"""

from __future__ import annotations

import csv

from _common import base_parser
from formcheck.capture import open_poses


def main() -> None:
    args = base_parser(__doc__.splitlines()[0]).parse_args()
    rows = csv.DictReader((args.clips / "MANIFEST.tsv").open(), delimiter="\t")
    clips = [args.clips / r["file"] for r in rows] + sorted((args.clips / "rendered").glob("*.mp4"))
    warned = checked = crowded = 0
    print(f"{'clip':42} {'size':>10} {'checked':>7} {'2nd person':>10}  warning")
    for clip in clips:
        with open_poses(clip) as stream:
            for _ in stream:
                pass
        crowd, info = stream.crowd, stream.info
        text = crowd.warning(info.name)
        warned += text is not None
        checked, crowded = checked + crowd.checked, crowded + crowd.crowded
        print(f"{clip.name:42} {info.width_px:>4}x{info.height_px:<5} {crowd.checked:>7} "
              f"{crowd.crowded:>10}  {'yes' if text else 'no'}")
    print(f"\n{len(clips)} one-person clips: {warned} warned; a second person in {crowded} of "
          f"{checked} checks")


if __name__ == "__main__":
    main()
