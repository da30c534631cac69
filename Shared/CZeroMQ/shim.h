#ifndef ECORESUPPLY_CZEROMQ_SHIM_H
#define ECORESUPPLY_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
