"""The audit chain's keyed hashes and its checkpoints anchored outside the database.

Why: an unkeyed hash chain whose head lives in the same database proves nothing against someone
who can write that database — they edit a row, re-hash from there on and move the head. So:

- every entry's hash is HMAC-SM3 under a key the database never sees (`AUDIT_HMAC_KEYS`, named
  keys like the field keys: new entries use the current one, old entries name theirs, so keys
  rotate without re-hashing); a database user cannot compute a valid hash for an edited row;
- checkpoints (seq, hash of the entry at seq) are appended to a file outside the database, each
  line signed with the same keys and linked to the line before it. A rewrite of anything a
  checkpoint covers, or the removal of the newest entries, no longer matches the file.

- each entry carries its own MAC from the moment it is appended (`entry_mac`), and the single
  sealer links entries in order (`link_mac` over the entry's MAC and the hash before it), so a
  change, an insertion or a removal is caught both before and after sealing.

Pure functions and a file store, no Flask and no SQL.
"""

from __future__ import annotations

import fcntl
import hmac as _stdlib_hmac
import json
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac

MIN_KEY_BYTES = 16
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_HEX_KEY = re.compile(r"(?:[0-9A-Fa-f]{2}){16,64}")
# Domain separation: an entry's MAC can never be replayed as a checkpoint signature.
_ENTRY_DOMAIN = b"frontdoor.audit.entry\x1f"
_CHECKPOINT_DOMAIN = b"frontdoor.audit.checkpoint\x1f"
_LINK_DOMAIN = b"frontdoor.audit.link\x1f"


def canonical(fields: Mapping[str, Any]) -> bytes:
    """One byte string per set of fields: sorted keys, no spaces, UTF-8."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode()


class AuditKeyring:
    """Named HMAC-SM3 keys; one is current. Old keys stay to verify what they signed."""

    __slots__ = ("_current", "_keys")

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID.fullmatch(key_id):
                raise ValueError(f"audit key id {key_id!r} is invalid: 1-32 of A-Z a-z 0-9 _ . -")
            if len(key) < MIN_KEY_BYTES:
                raise ValueError(f"audit key {key_id!r} is shorter than {MIN_KEY_BYTES} bytes")
        if current_key_id not in keys:
            raise ValueError(f"the current audit key id {current_key_id!r} has no key")
        self._keys = dict(keys)
        self._current = current_key_id

    @classmethod
    def from_config(cls, spec: str, current_key_id: str) -> AuditKeyring:
        """`id1:<hex>,id2:<hex>` (16 to 64 bytes each) and the id of the key for new entries."""
        keys: dict[str, bytes] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key_id, _, hex_key = part.partition(":")
            if not _HEX_KEY.fullmatch(hex_key.strip()):
                raise ValueError(f"audit key {key_id!r} must be 32 to 128 hex characters")
            if key_id in keys:
                raise ValueError(f"audit key id {key_id!r} is given twice")
            keys[key_id.strip()] = bytes.fromhex(hex_key.strip())
        return cls(keys, current_key_id)

    def __repr__(self) -> str:
        return f"AuditKeyring(<{len(self._keys)} keys hidden>, current={self._current!r})"

    @property
    def current_key_id(self) -> str:
        return self._current

    def knows(self, key_id: str | None) -> bool:
        return key_id in self._keys

    def _mac(self, key_id: str, domain: bytes, data: bytes) -> str:
        mac = hmac.HMAC(self._keys[key_id], hashes.SM3())
        mac.update(domain + data)
        return mac.finalize().hex()

    def entry_mac(self, key_id: str, fields: Mapping[str, Any]) -> str:
        """The keyed hash of one entry's own fields (carried-over entries: and the hash before)."""
        return self._mac(key_id, _ENTRY_DOMAIN, canonical(fields))

    def link_mac(self, key_id: str, fields: Mapping[str, Any]) -> str:
        """The keyed hash of one link of the chain (an entry's MAC and the hash before it)."""
        return self._mac(key_id, _LINK_DOMAIN, canonical(fields))

    def checkpoint_mac(self, key_id: str, fields: Mapping[str, Any]) -> str:
        return self._mac(key_id, _CHECKPOINT_DOMAIN, canonical(fields))


@dataclass(frozen=True)
class Checkpoint:
    """"The entry at `seq` had hash `hash`", said at `written_at`, signed under `key_id`."""

    seq: int
    hash: str
    written_at: str
    key_id: str
    prev_sig: str
    sig: str

    def signed_fields(self) -> dict[str, Any]:
        fields = asdict(self)
        del fields["sig"]
        return fields


class CheckpointFile:
    """Append-only JSON-lines file of signed checkpoints, each linked to the line before.

    Put it where the database's users cannot write (another volume, a WORM mount, a host the
    DBA has no login on); `frontdoor audit verify` compares the database with it.
    """

    def __init__(self, path: str | os.PathLike[str], keyring: AuditKeyring) -> None:
        self.path = Path(path)
        self._keyring = keyring

    def read(self) -> tuple[list[Checkpoint], list[str]]:
        """The checkpoints whose signatures verify, and a description of each that does not."""
        if not self.path.exists():
            return [], []
        checkpoints: list[Checkpoint] = []
        problems: list[str] = []
        prev_sig = ""
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    checkpoint = Checkpoint(**json.loads(line))
                except (TypeError, ValueError):
                    problems.append(f"checkpoint line {number} is not a checkpoint")
                    continue
                if not self._keyring.knows(checkpoint.key_id):
                    problems.append(f"checkpoint line {number} names an unknown key "
                                    f"{checkpoint.key_id!r}")
                    continue
                expected = self._keyring.checkpoint_mac(checkpoint.key_id,
                                                        checkpoint.signed_fields())
                if not _stdlib_hmac.compare_digest(expected, checkpoint.sig):
                    problems.append(f"checkpoint line {number} has a bad signature")
                    continue
                if checkpoint.prev_sig != prev_sig:
                    problems.append(f"checkpoint line {number} does not follow the line before "
                                    "it: lines were removed or reordered")
                if checkpoints and checkpoint.seq < checkpoints[-1].seq:
                    problems.append(f"checkpoint line {number} goes back in the chain")
                checkpoints.append(checkpoint)
                prev_sig = checkpoint.sig
        return checkpoints, problems

    def append(self, seq: int, entry_hash: str, now: datetime | None = None) -> Checkpoint:
        """Sign and append one checkpoint, under an exclusive lock, synced to disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            last_line = ""
            for line in handle:
                if line.strip():
                    last_line = line
            try:
                prev_sig = json.loads(last_line)["sig"] if last_line else ""
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{self.path} ends with a damaged line: look at it before "
                                 "anchoring more checkpoints") from exc
            key_id = self._keyring.current_key_id
            written_at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
            unsigned = {"seq": seq, "hash": entry_hash, "written_at": written_at,
                        "key_id": key_id, "prev_sig": prev_sig}
            checkpoint = Checkpoint(**unsigned,
                                    sig=self._keyring.checkpoint_mac(key_id, unsigned))
            handle.write(json.dumps(asdict(checkpoint), sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return checkpoint
