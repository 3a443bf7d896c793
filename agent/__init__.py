"""The node agent: tells the cluster what each node holds and where each startup went.

It runs as a DaemonSet. It reads the node's GPUs (pynvml), scans the model
cache directory (formats, bytes, digests, page-cache residency), probes disk
bandwidth and CUDA start-up, stages models into the cache on request
(prefetch), and derives the cold-start waterfall of the pods on its node.
"""
