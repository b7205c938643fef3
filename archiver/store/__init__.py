"""All of tgmirror's SQL, split by table family.

Functions take an ``AsyncConnection`` first and never commit: the caller owns the transaction
(``async with engine.begin() as conn``), so a checkpoint is committed together with the rows it
covers.
"""
