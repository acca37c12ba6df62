"""pykro.graph"""
