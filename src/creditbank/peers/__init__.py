"""Peer banks: the trust list (four eyes, logged), witnessing peers' logs, accepting their
checkpoints (k cosignatures, consistent with all seen) and the evidence of forks."""
