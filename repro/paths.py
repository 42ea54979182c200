"""Where every stage reads and writes, per profile, so that profiles never clobber each other. The raw inputs a hub
run reads (`repro fetch`'s pinned files, one `data/` for every profile, tracked by data.dvc) are `INPUTS`; what
the data stages make of them is under `PREPARED`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

INPUTS = "data"  # raw inputs: data/hub/<org>/<name>/<sha>/, data/releases/<owner>/<repo>/<sha>/ (repro.data.pinned)
PREPARED = "prepared"  # the data stages' outputs: prepared/<profile>/, prepared/<study>-<profile>/


@dataclass(frozen=True)
class Layout:
    """The on-disk layout of one profile, rooted at the project directory."""

    profile: str
    root: Path = Path(".")

    @property
    def data(self) -> Path:
        return self.root / PREPARED / self.profile

    def dataset(self, key: str, split: str) -> Path:
        return self.data / key / f"{split}.parquet"

    @property
    def manifest(self) -> Path:
        return self.data / "manifest.json"

    @property
    def models(self) -> Path:
        return self.root / "models" / self.profile

    @property
    def pretrained(self) -> Path:
        """Phase 1's masked LM, which is also the baseline's encoder (`none`: no intermediate training)."""
        return self.encoder("none")

    def encoder(self, intermediate: str) -> Path:
        """The encoder a target or retrieval stage starts from."""
        return self.models / "encoders" / intermediate

    def target_model(self, intermediate: str, target: str) -> Path:
        """A fine-tuned target model (a plain HF directory)."""
        return self.models / "target" / intermediate / target

    def curves(self, stage: str) -> Path:
        """A training stage's curves: loss and English-dev score by step (dvclive's series; dvc.yaml's plots)."""
        return self.results / "curves" / stage

    def checkpoints(self, stage: str) -> Path:
        """Mid-run checkpoints for resuming (not a DVC out)."""
        return self.root / "checkpoints" / self.profile / stage

    @property
    def results(self) -> Path:
        return self.root / "results" / self.profile

    def stage_metrics(self, intermediate: str, target: str) -> Path:
        return self.results / "stages" / intermediate / f"{target}.json"

    def predictions(self, intermediate: str) -> Path:
        """Predictions on the evaluation split, in the XTREME submission layout (<task>/test-<lang>.*)."""
        return self.results / "predictions" / intermediate

    @property
    def labels(self) -> Path:
        """Gold labels of the evaluated splits in the same layout (written by the data stage)."""
        return self.data / "labels"

    @property
    def metrics(self) -> Path:
        return self.results / "metrics.json"

    @property
    def alternatives(self) -> Path:
        """Table 4's runs: the metrics of the `<task>+<variant>` encoders (metrics.json holds the main grid)."""
        return self.results / "alternatives.json"


@dataclass(frozen=True)
class StudyLayout(Layout):
    """A study's own outputs beside the paper's (`results/<profile>/<study>/`, `models/<profile>/<study>/`, its
    data stage's `prepared/<study>-<profile>/`): the same names inside, so the stages read and write there unchanged;
    the pretrained model is the profile's."""

    study: str = ""

    @property
    def data(self) -> Path:
        """prepared/<study>-<profile>: beside prepared/<profile> (the paper's data stage's one output), not inside
        it."""
        return self.root / PREPARED / f"{self.study}-{self.profile}"

    @property
    def models(self) -> Path:
        return self.root / "models" / self.profile / self.study

    @property
    def pretrained(self) -> Path:
        return Layout(self.profile, self.root).pretrained

    def checkpoints(self, stage: str) -> Path:
        return self.root / "checkpoints" / self.profile / self.study / stage

    @property
    def results(self) -> Path:
        return self.root / "results" / self.profile / self.study
