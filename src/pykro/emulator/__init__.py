"""pykro.emulator"""
