from .decoding import decode_heatmaps

__all__ = ['decode_heatmaps']
