"""How a model is named: a URI plus what we know of its size and layout."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ModelFormat(StrEnum):
    SAFETENSORS = "safetensors"
    GGUF = "gguf"
    PYTORCH = "pytorch"
    ONNX = "onnx"
    TENSORRT = "tensorrt"
    UNKNOWN = "unknown"


class ModelRef(BaseModel):
    """A model a pod will load. `bytes` is None when nobody told us the size."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uri: str = Field(
        min_length=1, description="e.g. hf://org/name@rev, s3://bucket/key, pvc://claim/path"
    )
    bytes: int | None = Field(default=None, ge=0)
    format: ModelFormat = ModelFormat.UNKNOWN
    quantization: str | None = Field(default=None, description="e.g. fp16, bf16, fp8, int4-awq")
