"""pykro.schema"""
