from .channels_last_hook import ChannelsLastHook
from .rank_consistency_hook import RankConsistencyHook

__all__ = ['ChannelsLastHook', 'RankConsistencyHook']
