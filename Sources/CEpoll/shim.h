#ifndef DECOMPOSER_CEPOLL_SHIM_H
#define DECOMPOSER_CEPOLL_SHIM_H

// Linux's epoll, which Swift's Glibc module does not include: the bench's
// WebSocket client (Sources/Benchmarks/WatcherSocketLoop.swift) waits on its
// watcher sockets with it.
#include <sys/epoll.h>

#endif
