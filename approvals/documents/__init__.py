"""The written acts the law requires, as numbered, signed PDF documents (行政许可法 arts. 32, 38,
42, 44, 45): ``issue`` (in the act's transaction), ``render`` (the face), ``signing`` (PAdES),
``numbers`` (文号), ``verify`` (验真). The workflow is the only caller of ``issue``."""
