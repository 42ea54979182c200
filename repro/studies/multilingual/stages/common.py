"""What the multilingual study's stages share: its layout (`repro.studies.multilingual.layout`), and looking up
its settings and arms with one-line errors."""

from __future__ import annotations

from repro.errors import UserError
from repro.params import Profile
from repro.studies.multilingual import recipe
from repro.studies.multilingual.arms import Arm
from repro.studies.multilingual.layout import STUDY, study_layout  # noqa: F401  (the stages' layout)
from repro.studies.multilingual.params import Multilingual


def settings(profile: Profile) -> Multilingual:
    """The profile's multilingual section (its schema's model: the stages run its methods, so they import it); one
    line when it has none."""
    section = profile.section(STUDY)
    if section is None:
        raise UserError(f"profiles.{profile.name}.multilingual: the profile has no multilingual study")
    assert isinstance(section, Multilingual), type(section)
    return section


def evaluated(profile: Profile) -> Profile:
    """The profile as the study's stages train and evaluate it: its languages with the XTREME-R ones the study adds,
    its target phase as the study's recipe trains it (repro.studies.multilingual.recipe)."""
    ml = settings(profile)
    profile = recipe.applied(profile, ml.recipe)
    return profile.model_copy(update={"languages": ml.languages_of(profile.languages)})


def arm_of(profile: Profile, arm_id: str) -> Arm:
    """A trained arm the profile's study lists; one line naming it otherwise."""
    arms = settings(profile).arms
    if arm_id not in arms:
        raise UserError(f"arm {arm_id!r}: not in profiles.{profile.name}.multilingual.arms ({', '.join(arms)})")
    return Arm.parse(arm_id)
