"""MadNIS configuration: run_card entries (madnis_*, use_madnis), reading them back, and input
checks naming the bad value."""

import pytest

from madnis_py.cards.run_card import RunCard
from madnis_py.madnis import RUN_CARD_ENTRIES, MadnisConfig, register_run_card_entries
from madnis_py.madnis.config import RUN_CARD_DEFAULTS


def test_every_config_field_has_a_run_card_entry():
    fields = {e.field for e in RUN_CARD_ENTRIES}
    assert fields == set(MadnisConfig.__dataclass_fields__)
    names = {e.name for e in RUN_CARD_ENTRIES}
    for name in ("use_madnis", "madnis_lr", "madnis_batch_size", "madnis_train_steps",
                 "madnis_buffer_steps", "madnis_loss", "madnis_drop_threshold",
                 "madnis_flow_blocks", "madnis_flow_bins", "madnis_hidden", "madnis_surrogate"):
        assert name in names
    default = MadnisConfig()
    for e in RUN_CARD_ENTRIES:
        expected = RUN_CARD_DEFAULTS.get(e.name, getattr(default, e.field))
        assert expected == e.default and isinstance(e.default, e.type)
        assert e.doc


def test_registered_entries_are_read_from_a_run_card():
    register_run_card_entries()
    register_run_card_entries()  # idempotent
    card = RunCard.from_text(" 3e-4 = madnis_lr\n 'kl' = madnis_loss\n F = use_madnis\n"
                             " 2048 = madnis_batch_size\n T = madnis_surrogate\n")
    cfg = MadnisConfig.from_run_card(card)
    assert cfg.lr == 3e-4 and cfg.loss == "kl" and cfg.use_madnis is False
    assert cfg.batch_size == 2048 and cfg.surrogate is True
    assert cfg.flow_bins == MadnisConfig().flow_bins  # not in the card: default
    assert MadnisConfig.from_run_card(RunCard()) == MadnisConfig(**{
        e.field: RUN_CARD_DEFAULTS[e.name] for e in RUN_CARD_ENTRIES if e.name in RUN_CARD_DEFAULTS})
    with pytest.raises(Exception, match="madnis_loss"):
        RunCard.from_text(" 'l2' = madnis_loss\n")


@pytest.mark.parametrize("field,value,match", [
    ("loss", "l2", "madnis_loss"), ("batch_size", 0, "madnis_batch_size"),
    ("drop_threshold", 1.5, "madnis_drop_threshold"), ("lr", -1.0, "madnis_lr"),
    ("uniform_ratio", 2.0, "madnis_uniform_ratio"), ("dtype", "float16", "madnis_dtype")])
def test_bad_values_are_rejected_with_their_name(field, value, match):
    with pytest.raises(ValueError, match=match):
        MadnisConfig(**{field: value})
