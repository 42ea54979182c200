"""Training: the HF Trainer with English-dev selection and resume (`trainer`), DeepSpeed and launchers
(`acceleration`), multi-task models and schedules (`multitask`)."""
