from .hooks import ChannelsLastHook, RankConsistencyHook

__all__ = ['ChannelsLastHook', 'RankConsistencyHook']
