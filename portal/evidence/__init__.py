"""Evidence: the image and link pipeline, storage backends and guarded downloads."""
