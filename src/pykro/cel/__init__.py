"""pykro.cel"""
