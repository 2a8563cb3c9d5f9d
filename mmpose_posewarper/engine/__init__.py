from .hooks import RankConsistencyHook

__all__ = ['RankConsistencyHook']
