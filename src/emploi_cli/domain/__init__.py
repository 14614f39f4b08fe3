"""The ledger's meaning: model, limits, the position as of a date, pace, checks, roll-up.

Pure: nothing here prints, reads or writes files, or exits.
"""
