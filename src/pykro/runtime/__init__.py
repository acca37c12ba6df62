"""pykro.runtime"""
