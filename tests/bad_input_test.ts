// Bad input: every argument of every public function of the socket module
// (and of select, poll, epoll and selectors), tried with wrong types, NaN, Infinity, negative and huge numbers, empty and
// NUL-containing strings (hosts and unix paths) and oversized buffers. Each
// must fail with the class and the words CPython uses (TypeError for
// TypeError, RangeError for ValueError/OverflowError, the same OSError
// subclass and errno), synchronously where the function is synchronous and
// as a rejection where it returns a Promise, and without leaking a
// descriptor. The expected texts were produced by running the same calls in
// python3 (3.11 on Linux); DIFFERS and DIFFERS_SELECT list the deliberate
// differences, each with its reason.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as S from "unisock";
import * as SEL from "unisock/select";
import * as SS from "unisock/selectors";
import { eventually, libFdProbe, osFdCount, settlesWithin } from "./_helpers.ts";

const NAN = NaN, INF = Infinity, HUGE = 2 ** 64;
type Case = [label: string, fn: () => unknown];

/** What CPython raises for each case: "Class: message" (ValueError/OverflowError as RangeError). */
const PY: Record<string, string> = {
  "socket(family=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "socket(type=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "socket(proto=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "socket(family=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(type=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(proto=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(family=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "socket(type=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "socket(proto=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "socket(family=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(type=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(proto=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(family=Infinity)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(type=Infinity)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(proto=Infinity)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socket(family=huge)": "RangeError: Python int too large to convert to C int",
  "socket(type=huge)": "RangeError: Python int too large to convert to C int",
  "socket(proto=huge)": "RangeError: Python int too large to convert to C int",
  "socket(family=dict)": "TypeError: 'dict' object cannot be interpreted as an integer",
  "socket(type=dict)": "TypeError: 'dict' object cannot be interpreted as an integer",
  "socket(proto=dict)": "TypeError: 'dict' object cannot be interpreted as an integer",
  "socket(family=99)": "OSError: [Errno 97] Address family not supported by protocol",
  "socket(type=99)": "OSError: [Errno 22] Invalid argument",
  "socket(proto=99)": "OSError: [Errno 93] Protocol not supported",
  "settimeout(str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "setdefaulttimeout(str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "create_connection(timeout=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "settimeout(NaN)": "RangeError: Invalid value NaN (not a number)",
  "setdefaulttimeout(NaN)": "RangeError: Invalid value NaN (not a number)",
  "create_connection(timeout=NaN)": "RangeError: Invalid value NaN (not a number)",
  "settimeout(Infinity)": "RangeError: timestamp out of range for platform time_t",
  "setdefaulttimeout(Infinity)": "RangeError: timestamp out of range for platform time_t",
  "create_connection(timeout=Infinity)": "RangeError: timestamp out of range for platform time_t",
  "settimeout(negative)": "RangeError: Timeout value out of range",
  "setdefaulttimeout(negative)": "RangeError: Timeout value out of range",
  "create_connection(timeout=negative)": "RangeError: Timeout value out of range",
  "settimeout(huge)": "RangeError: timestamp too large to convert to C _PyTime_t",
  "setdefaulttimeout(huge)": "RangeError: timestamp too large to convert to C _PyTime_t",
  "create_connection(timeout=huge)": "RangeError: timestamp too large to convert to C _PyTime_t",
  "settimeout(dict)": "TypeError: 'dict' object cannot be interpreted as an integer",
  "setdefaulttimeout(dict)": "TypeError: 'dict' object cannot be interpreted as an integer",
  "create_connection(timeout=dict)": "TypeError: 'dict' object cannot be interpreted as an integer",
  "setblocking(str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "setblocking(float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "setblocking(NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "setblocking(dict)": "TypeError: 'dict' object cannot be interpreted as an integer",
  "listen(str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "listen(float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "listen(NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "listen(huge)": "RangeError: Python int too large to convert to C long",
  "listen(None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "listen() on UDP": "OSError: [Errno 95] Operation not supported",
  "bind(inet str)": "TypeError: bind(): AF_INET address must be tuple, not str",
  "connect(inet str)": "TypeError: connect(): AF_INET address must be tuple, not str",
  "sendto(inet str)": "TypeError: sendto(): AF_INET address must be tuple, not str",
  "connect_ex(inet str)": "TypeError: connect_ex(): AF_INET address must be tuple, not str",
  "bind(inet None)": "TypeError: bind(): AF_INET address must be tuple, not NoneType",
  "connect(inet None)": "TypeError: connect(): AF_INET address must be tuple, not NoneType",
  "sendto(inet None)": "TypeError: sendto(): AF_INET address must be tuple, not NoneType",
  "connect_ex(inet None)": "TypeError: connect_ex(): AF_INET address must be tuple, not NoneType",
  "bind(inet empty tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "connect(inet empty tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "sendto(inet empty tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "connect_ex(inet empty tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "bind(inet 1-tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "connect(inet 1-tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "sendto(inet 1-tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "connect_ex(inet 1-tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "bind(inet 3-tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "connect(inet 3-tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "sendto(inet 3-tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "connect_ex(inet 3-tuple)": "TypeError: AF_INET address must be a pair (host, port)",
  "bind(inet host int)": "TypeError: str, bytes or bytearray expected, not int",
  "connect(inet host int)": "TypeError: str, bytes or bytearray expected, not int",
  "sendto(inet host int)": "TypeError: str, bytes or bytearray expected, not int",
  "connect_ex(inet host int)": "TypeError: str, bytes or bytearray expected, not int",
  "bind(inet host None)": "TypeError: str, bytes or bytearray expected, not NoneType",
  "connect(inet host None)": "TypeError: str, bytes or bytearray expected, not NoneType",
  "sendto(inet host None)": "TypeError: str, bytes or bytearray expected, not NoneType",
  "connect_ex(inet host None)": "TypeError: str, bytes or bytearray expected, not NoneType",
  "bind(inet port -1)": "RangeError: bind(): port must be 0-65535.",
  "connect(inet port -1)": "RangeError: connect(): port must be 0-65535.",
  "sendto(inet port -1)": "RangeError: sendto(): port must be 0-65535.",
  "connect_ex(inet port -1)": "RangeError: connect_ex(): port must be 0-65535.",
  "bind(inet port 65536)": "RangeError: bind(): port must be 0-65535.",
  "connect(inet port 65536)": "RangeError: connect(): port must be 0-65535.",
  "sendto(inet port 65536)": "RangeError: sendto(): port must be 0-65535.",
  "connect_ex(inet port 65536)": "RangeError: connect_ex(): port must be 0-65535.",
  "bind(inet port NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "connect(inet port NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "sendto(inet port NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "connect_ex(inet port NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "bind(inet port Infinity)": "TypeError: 'float' object cannot be interpreted as an integer",
  "connect(inet port Infinity)": "TypeError: 'float' object cannot be interpreted as an integer",
  "sendto(inet port Infinity)": "TypeError: 'float' object cannot be interpreted as an integer",
  "connect_ex(inet port Infinity)": "TypeError: 'float' object cannot be interpreted as an integer",
  "bind(inet port str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "connect(inet port str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "sendto(inet port str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "connect_ex(inet port str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "bind(inet port huge)": "RangeError: bind(): port must be 0-65535.",
  "connect(inet port huge)": "RangeError: connect(): port must be 0-65535.",
  "sendto(inet port huge)": "RangeError: sendto(): port must be 0-65535.",
  "connect_ex(inet port huge)": "RangeError: connect_ex(): port must be 0-65535.",
  "bind(inet host NUL)": "TypeError: host name must not contain null character",
  "connect(inet host NUL)": "TypeError: host name must not contain null character",
  "sendto(inet host NUL)": "TypeError: host name must not contain null character",
  "connect_ex(inet host NUL)": "TypeError: host name must not contain null character",
  "bind(inet port float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "connect(inet port float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "sendto(inet port float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "connect_ex(inet port float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "bind(unix int)": "TypeError: a bytes-like object is required, not 'int'",
  "connect(unix int)": "TypeError: a bytes-like object is required, not 'int'",
  "bind(unix None)": "TypeError: a bytes-like object is required, not 'NoneType'",
  "connect(unix None)": "TypeError: a bytes-like object is required, not 'NoneType'",
  "connect(unix NUL)": "ConnectionRefusedError: [Errno 111] Connection refused",
  "bind(unix too long)": "OSError: AF_UNIX path too long",
  "connect(unix too long)": "OSError: AF_UNIX path too long",
  "bind(unix tuple)": "TypeError: a bytes-like object is required, not 'tuple'",
  "connect(unix tuple)": "TypeError: a bytes-like object is required, not 'tuple'",
  "connect(unix missing)": "FileNotFoundError: [Errno 2] No such file or directory",
  "bind(inet6 5-tuple)":
    "TypeError: AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
  "bind(inet6 flowinfo -1)": "RangeError: bind(): flowinfo must be 0-1048575.",
  "bind(inet6 flowinfo huge)": "RangeError: bind(): flowinfo must be 0-1048575.",
  "bind(inet6 scope str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "recv(bufsize=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "recvfrom(bufsize=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "recv(flags=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "recv(bufsize=negative)": "RangeError: negative buffersize in recv",
  "recvfrom(bufsize=negative)": "RangeError: negative buffersize in recvfrom",
  "recv(flags=negative)": "OSError: [Errno 22] Invalid argument",
  "recv(bufsize=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "recvfrom(bufsize=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "recv(flags=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "recv(bufsize=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "recvfrom(bufsize=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "recv(flags=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "recv(bufsize=huge)": "RangeError: Python int too large to convert to C ssize_t",
  "recvfrom(bufsize=huge)": "RangeError: Python int too large to convert to C ssize_t",
  "recv(flags=huge)": "RangeError: Python int too large to convert to C long",
  "recv(bufsize=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "recvfrom(bufsize=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "recv(flags=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "recv_into(buffer=str)":
    "TypeError: recv_into() argument 1 must be read-write bytes-like object, not str",
  "recvfrom_into(buffer=str)":
    "TypeError: recvfrom_into() argument 1 must be read-write bytes-like object, not str",
  "recv_into(buffer=None)":
    "TypeError: recv_into() argument 1 must be read-write bytes-like object, not None",
  "recvfrom_into(buffer=None)":
    "TypeError: recvfrom_into() argument 1 must be read-write bytes-like object, not None",
  "recv_into(buffer=int)":
    "TypeError: recv_into() argument 1 must be read-write bytes-like object, not int",
  "recvfrom_into(buffer=int)":
    "TypeError: recvfrom_into() argument 1 must be read-write bytes-like object, not int",
  "recv_into(buffer=bytes)":
    "TypeError: recv_into() argument 1 must be read-write bytes-like object, not bytes",
  "recvfrom_into(buffer=bytes)":
    "TypeError: recvfrom_into() argument 1 must be read-write bytes-like object, not bytes",
  "recv_into(nbytes=negative)": "RangeError: negative buffersize in recv_into",
  "recv_into(nbytes=too big)": "RangeError: buffer too small for requested bytes",
  "recv_into(nbytes=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "recv_into(nbytes=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "send(data=int)": "TypeError: a bytes-like object is required, not 'int'",
  "sendall(data=int)": "TypeError: a bytes-like object is required, not 'int'",
  "sendto(data=int)": "TypeError: a bytes-like object is required, not 'int'",
  "send(data=None)": "TypeError: a bytes-like object is required, not 'NoneType'",
  "sendall(data=None)": "TypeError: a bytes-like object is required, not 'NoneType'",
  "sendto(data=None)": "TypeError: a bytes-like object is required, not 'NoneType'",
  "send(data=dict)": "TypeError: a bytes-like object is required, not 'dict'",
  "sendall(data=dict)": "TypeError: a bytes-like object is required, not 'dict'",
  "sendto(data=dict)": "TypeError: a bytes-like object is required, not 'dict'",
  "send(data=float)": "TypeError: a bytes-like object is required, not 'float'",
  "sendall(data=float)": "TypeError: a bytes-like object is required, not 'float'",
  "sendto(data=float)": "TypeError: a bytes-like object is required, not 'float'",
  "send(flags=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "sendall(flags=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "send(flags=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "sendall(flags=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "send(flags=huge)": "RangeError: Python int too large to convert to C long",
  "sendall(flags=huge)": "RangeError: Python int too large to convert to C long",
  "sendto(oversized 65508)": "OSError: [Errno 90] Message too long",
  "sendto(flags str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "shutdown(str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "shutdown(NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "shutdown(3)": "OSError: [Errno 22] Invalid argument",
  "shutdown(negative)": "OSError: [Errno 22] Invalid argument",
  "shutdown(huge)": "RangeError: Python int too large to convert to C int",
  "setsockopt(level=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "setsockopt(optname=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "getsockopt(level=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "getsockopt(optname=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "setsockopt(level=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "setsockopt(optname=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getsockopt(level=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getsockopt(optname=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "setsockopt(level=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "setsockopt(optname=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getsockopt(level=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getsockopt(optname=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "setsockopt(level=huge)": "RangeError: Python int too large to convert to C long",
  "setsockopt(optname=huge)": "RangeError: Python int too large to convert to C long",
  "getsockopt(level=huge)": "RangeError: Python int too large to convert to C long",
  "getsockopt(optname=huge)": "RangeError: Python int too large to convert to C long",
  "setsockopt(level=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "setsockopt(optname=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "getsockopt(level=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "getsockopt(optname=None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "setsockopt(value=str)": "TypeError: a bytes-like object is required, not 'str'",
  "setsockopt(value=NaN)": "TypeError: a bytes-like object is required, not 'float'",
  "setsockopt(value=float)": "TypeError: a bytes-like object is required, not 'float'",
  "setsockopt(value=huge)": "TypeError: a bytes-like object is required, not 'int'",
  "setsockopt(value=dict)": "TypeError: a bytes-like object is required, not 'dict'",
  "setsockopt(unknown option)": "OSError: [Errno 92] Protocol not available",
  "getsockopt(unknown option)": "OSError: [Errno 92] Protocol not available",
  "setsockopt(unknown level)": "OSError: [Errno 92] Protocol not available",
  "makefile(mode='x')": "RangeError: invalid mode 'x' (only r, w, b allowed)",
  "makefile(mode='rt+')": "RangeError: invalid mode 'rt+' (only r, w, b allowed)",
  "closed.listen()": "OSError: [Errno 9] Bad file descriptor",
  "closed.settimeout()": "OSError: [Errno 9] Bad file descriptor",
  "closed.setsockopt()": "OSError: [Errno 9] Bad file descriptor",
  "closed.getsockopt()": "OSError: [Errno 9] Bad file descriptor",
  "closed.getsockname()": "OSError: [Errno 9] Bad file descriptor",
  "closed.getpeername()": "OSError: [Errno 9] Bad file descriptor",
  "closed.bind() async": "OSError: [Errno 9] Bad file descriptor",
  "closed.connect() async": "OSError: [Errno 9] Bad file descriptor",
  "closed.recv() async": "OSError: [Errno 9] Bad file descriptor",
  "closed.send() async": "OSError: [Errno 9] Bad file descriptor",
  "closed.sendall() async": "OSError: [Errno 9] Bad file descriptor",
  "closed.accept() async": "OSError: [Errno 9] Bad file descriptor",
  "closed.shutdown() async": "OSError: [Errno 9] Bad file descriptor",
  "create_connection(address=str)": "RangeError: not enough values to unpack (expected 2, got 1)",
  "create_connection(address=None)": "TypeError: cannot unpack non-iterable NoneType object",
  "create_connection(address=3-tuple)": "RangeError: too many values to unpack (expected 2)",
  "create_connection(address=port -1)":
    "gaierror: [Errno -8] Servname not supported for ai_socktype",
  "create_connection(address=host NUL)": "gaierror: [Errno -2] Name or service not known",
  "create_server(address=str)": "TypeError: bind(): AF_INET address must be tuple, not str",
  "create_server(address=port -1)": "RangeError: bind(): port must be 0-65535.",
  "create_server(address=port 65536)": "RangeError: bind(): port must be 0-65535.",
  "create_server(backlog str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "create_server(family 99)": "OSError: [Errno 97] Address family not supported by protocol",
  "create_server(dualstack on AF_INET)": "RangeError: dualstack_ipv6 requires AF_INET6 family",
  "socketpair(family=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "socketpair(type=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "socketpair(family=99)": "OSError: [Errno 97] Address family not supported by protocol",
  "socketpair(type=99)": "OSError: [Errno 22] Invalid argument",
  "socketpair(family=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "socketpair(type=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getaddrinfo(host=int)": "TypeError: getaddrinfo() argument 1 must be string or None",
  "getaddrinfo(host=dict)": "TypeError: getaddrinfo() argument 1 must be string or None",
  "getaddrinfo(host=NUL)": "gaierror: [Errno -2] Name or service not known",
  "getaddrinfo(port=float)": "OSError: Int or String expected",
  "getaddrinfo(port=dict)": "OSError: Int or String expected",
  "getaddrinfo(port=NaN)": "OSError: Int or String expected",
  "getaddrinfo(port=bad service)": "gaierror: [Errno -8] Servname not supported for ai_socktype",
  "getaddrinfo(port=-1)": "gaierror: [Errno -8] Servname not supported for ai_socktype",
  "getaddrinfo(port=huge)": "RangeError: Python int too large to convert to C long",
  "getaddrinfo(family=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "getaddrinfo(family=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getaddrinfo(family=huge)": "RangeError: Python int too large to convert to C long",
  "getaddrinfo(type=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "getaddrinfo(type=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getaddrinfo(type=huge)": "RangeError: Python int too large to convert to C long",
  "getaddrinfo(proto=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "getaddrinfo(proto=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getaddrinfo(proto=huge)": "RangeError: Python int too large to convert to C long",
  "getaddrinfo(flags=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "getaddrinfo(flags=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getaddrinfo(flags=huge)": "RangeError: Python int too large to convert to C long",
  "getaddrinfo(family=99)": "gaierror: [Errno -6] ai_family not supported",
  "getaddrinfo(no host no port)": "gaierror: [Errno -2] Name or service not known",
  "gethostbyname(int)":
    "TypeError: gethostbyname() argument 1 must be str, bytes or bytearray, not int",
  "gethostbyname(None)":
    "TypeError: gethostbyname() argument 1 must be str, bytes or bytearray, not None",
  "gethostbyname(NUL)":
    "TypeError: gethostbyname() argument 1 must be encoded string without null bytes, not str",
  "gethostbyname(dict)":
    "TypeError: gethostbyname() argument 1 must be str, bytes or bytearray, not dict",
  "gethostbyname_ex(int)":
    "TypeError: gethostbyname_ex() argument 1 must be str, bytes or bytearray, not int",
  "gethostbyname_ex(None)":
    "TypeError: gethostbyname_ex() argument 1 must be str, bytes or bytearray, not None",
  "gethostbyname_ex(NUL)":
    "TypeError: gethostbyname_ex() argument 1 must be encoded string without null bytes, not str",
  "gethostbyname_ex(dict)":
    "TypeError: gethostbyname_ex() argument 1 must be str, bytes or bytearray, not dict",
  "gethostbyaddr(int)":
    "TypeError: gethostbyaddr() argument 1 must be str, bytes or bytearray, not int",
  "gethostbyaddr(None)":
    "TypeError: gethostbyaddr() argument 1 must be str, bytes or bytearray, not None",
  "gethostbyaddr(NUL)":
    "TypeError: gethostbyaddr() argument 1 must be encoded string without null bytes, not str",
  "gethostbyaddr(dict)":
    "TypeError: gethostbyaddr() argument 1 must be str, bytes or bytearray, not dict",
  "gethostbyname(bad name)": "gaierror: [Errno -2] Name or service not known",
  "getservbyname(name=int)": "TypeError: getservbyname() argument 1 must be str, not int",
  "getservbyname(proto=int)": "TypeError: getservbyname() argument 2 must be str, not int",
  "getservbyname(name=None)": "TypeError: getservbyname() argument 1 must be str, not None",
  "getservbyname(proto=None)": "TypeError: getservbyname() argument 2 must be str, not None",
  "getservbyname(name=NUL)": "RangeError: embedded null character",
  "getservbyname(proto=NUL)": "RangeError: embedded null character",
  "getservbyname(unknown)": "OSError: service/proto not found",
  "getservbyport(port=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "getservbyport(port=-1)": "RangeError: getservbyport: port must be 0-65535.",
  "getservbyport(port=65536)": "RangeError: getservbyport: port must be 0-65535.",
  "getservbyport(port=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getservbyport(port=float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "getservbyport(port=huge)": "RangeError: Python int too large to convert to C long",
  "getservbyport(proto int)": "TypeError: getservbyport() argument 2 must be str, not int",
  "getservbyport(unknown)": "OSError: port/proto not found",
  "inet_aton(int)": "TypeError: inet_aton() argument 1 must be str, not int",
  "inet_aton(None)": "TypeError: inet_aton() argument 1 must be str, not None",
  "inet_aton(empty)": "OSError: illegal IP address string passed to inet_aton",
  "inet_aton(NUL)": "RangeError: embedded null character",
  "inet_aton(5 parts)": "OSError: illegal IP address string passed to inet_aton",
  "inet_aton(256)": "OSError: illegal IP address string passed to inet_aton",
  "inet_aton(bytes)": "TypeError: inet_aton() argument 1 must be str, not bytes",
  "inet_ntoa(str)": "TypeError: a bytes-like object is required, not 'str'",
  "inet_ntoa(None)": "TypeError: a bytes-like object is required, not 'NoneType'",
  "inet_ntoa(3 bytes)": "OSError: packed IP wrong length for inet_ntoa",
  "inet_ntoa(5 bytes)": "OSError: packed IP wrong length for inet_ntoa",
  "inet_ntoa(int)": "TypeError: a bytes-like object is required, not 'int'",
  "inet_pton(af=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "inet_ntop(af=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "inet_pton(af=99)": "OSError: [Errno 97] Address family not supported by protocol",
  "inet_ntop(af=99)": "RangeError: unknown address family 99",
  "inet_pton(af=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "inet_ntop(af=NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "inet_pton(af=huge)": "RangeError: Python int too large to convert to C long",
  "inet_ntop(af=huge)": "RangeError: Python int too large to convert to C long",
  "inet_pton(AF_INET6, int)": "TypeError: inet_pton() argument 2 must be str, not int",
  "inet_pton(AF_INET6, None)": "TypeError: inet_pton() argument 2 must be str, not None",
  "inet_pton(AF_INET6, empty)": "OSError: illegal IP address string passed to inet_pton",
  "inet_pton(AF_INET6, NUL)": "RangeError: embedded null character",
  "inet_pton(AF_INET6, v6 garbage)": "OSError: illegal IP address string passed to inet_pton",
  "inet_pton(AF_INET6, bytes)": "TypeError: inet_pton() argument 2 must be str, not bytes",
  "inet_pton(AF_INET, '1.2.3')": "OSError: illegal IP address string passed to inet_pton",
  "inet_ntop(AF_INET6, str)": "TypeError: a bytes-like object is required, not 'str'",
  "inet_ntop(AF_INET6, None)": "TypeError: a bytes-like object is required, not 'NoneType'",
  "inet_ntop(AF_INET6, 3 bytes)": "RangeError: invalid length of packed IP address string",
  "inet_ntop(AF_INET6, 17 bytes)": "RangeError: invalid length of packed IP address string",
  "inet_ntop(AF_INET, 5 bytes)": "RangeError: invalid length of packed IP address string",
  "htons(str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "htons(negative)":
    "RangeError: htons: can't convert negative Python int to C 16-bit unsigned integer",
  "htons(NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "htons(float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "htons(huge)": "RangeError: Python int too large to convert to C long",
  "htons(None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "ntohs(str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "ntohs(negative)":
    "RangeError: ntohs: can't convert negative Python int to C 16-bit unsigned integer",
  "ntohs(NaN)": "TypeError: 'float' object cannot be interpreted as an integer",
  "ntohs(float)": "TypeError: 'float' object cannot be interpreted as an integer",
  "ntohs(huge)": "RangeError: Python int too large to convert to C long",
  "ntohs(None)": "TypeError: 'NoneType' object cannot be interpreted as an integer",
  "htonl(str)": "TypeError: expected int, str found",
  "htonl(negative)": "RangeError: can't convert negative value to unsigned int",
  "htonl(NaN)": "TypeError: expected int, float found",
  "htonl(float)": "TypeError: expected int, float found",
  "htonl(huge)": "RangeError: Python int too large to convert to C unsigned long",
  "htonl(None)": "TypeError: expected int, NoneType found",
  "ntohl(str)": "TypeError: expected int, str found",
  "ntohl(negative)": "RangeError: can't convert negative value to unsigned int",
  "ntohl(NaN)": "TypeError: expected int, float found",
  "ntohl(float)": "TypeError: expected int, float found",
  "ntohl(huge)": "RangeError: Python int too large to convert to C unsigned long",
  "ntohl(None)": "TypeError: expected int, NoneType found",
  "htons(65536)": "RangeError: htons: Python int too large to convert to C 16-bit unsigned integer",
  "htonl(2**32)": "RangeError: int larger than 32 bits",
};

/** Where unisock deliberately differs from CPython: what it does instead, and why. */
const DIFFERS: Record<string, [string, string]> = {
  "bind(unix NUL)": [
    "RangeError: embedded null character",
    "CPython passes the NUL to the kernel, which cuts the path there; the runtimes cannot pass such a path, so it is refused",
  ],
  "connect(unix NUL)": [
    "RangeError: embedded null character",
    "as bind(unix NUL)",
  ],
  "recv(flags=negative)": [
    "BlockingIOError: [Errno 11] Resource temporarily unavailable",
    "flags are not passed to a kernel call, so bits Linux refuses (EINVAL) are ignored; the socket is non-blocking here",
  ],
  "create_connection(address=str)": [
    "TypeError: create_connection() address must be a pair (host, port)",
    "CPython's message comes from tuple unpacking (a ValueError), which has no JavaScript counterpart",
  ],
  "create_connection(address=None)": [
    "TypeError: create_connection() address must be a pair (host, port)",
    "as create_connection(address=str)",
  ],
  "create_connection(address=3-tuple)": [
    "TypeError: create_connection() address must be a pair (host, port)",
    "as create_connection(address=str)",
  ],
};

/** Names of the calls that return a Promise (they must reject, never throw). */
const ASYNC =
  /^(bind|connect|connect_ex|sendto|recv|recvfrom|recv_into|recvfrom_into|send|sendall|shutdown|create_connection|create_server|socketpair|getaddrinfo|gethostbyname|gethostbyname_ex|gethostbyaddr|getservbyname|getservbyport)\(|^closed\.\w+\(\) async$/;

/** How a call is expected to fail: at once (sync) or as a rejection (every Promise-returning call). */
function isAsync(label: string): boolean {
  return ASYNC.test(label);
}

/** The error as "Class: message", with Python's class names for OSError subclasses. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return `non-Error thrown: ${String(e)}`;
  return `${e.constructor.name}: ${e.message}`;
}

async function buildCases(made: S.Socket[]): Promise<{ cases: Case[]; cleanup: () => void }> {
  const fresh = (...args: number[]) => {
    const s = S.socket(...args);
    made.push(s);
    return s;
  };
  const srv = await S.create_server(["127.0.0.1", 0]);
  const PORT = srv.getsockname()[1];
  const s = fresh();
  const u = fresh(S.AF_INET, S.SOCK_DGRAM);
  const [a, b] = await S.socketpair();
  a.settimeout(0); // a recv that wrongly accepted its arguments fails at once instead of waiting
  const closed = fresh();
  closed.close();
  const cases: Case[] = [];
  const c = (label: string, fn: () => unknown) => cases.push([label, fn]);
  const any = (v: unknown) => v as never;
  const vals1: [string, unknown][] = [
    ["str", "x"],
    ["float", 1.5],
    ["None", null],
    ["NaN", NAN],
    ["Infinity", INF],
    ["huge", HUGE],
    ["dict", {}],
  ];
  for (const [n, v] of vals1) {
    c(`socket(family=${n})`, () => fresh(any(v)));
    c(`socket(type=${n})`, () => fresh(2, any(v)));
    c(`socket(proto=${n})`, () => fresh(2, 1, any(v)));
  }
  c("socket(family=99)", () => fresh(99));
  c("socket(type=99)", () => fresh(2, 99));
  c("socket(proto=99)", () => fresh(2, 1, 99));
  for (
    const [n, v] of [["str", "x"], ["NaN", NAN], ["Infinity", INF], ["negative", -1], [
      "huge",
      HUGE,
    ], ["dict", {}]] as [string, unknown][]
  ) {
    c(`settimeout(${n})`, () => s.settimeout(any(v)));
    c(`setdefaulttimeout(${n})`, () => S.setdefaulttimeout(any(v)));
    c(`create_connection(timeout=${n})`, () => S.create_connection(["127.0.0.1", PORT], any(v)));
  }
  for (
    const [n, v] of [["str", "x"], ["float", 1.5], ["NaN", NAN], ["dict", {}]] as [
      string,
      unknown,
    ][]
  ) {
    c(`setblocking(${n})`, () => s.setblocking(any(v)));
  }
  for (
    const [n, v] of [["str", "x"], ["float", 1.5], ["NaN", NAN], ["huge", HUGE], [
      "None",
      null,
    ]] as [string, unknown][]
  ) {
    c(`listen(${n})`, () => fresh().listen(any(v)));
  }
  c("listen() on UDP", () => u.listen());
  const inetBad: [string, unknown][] = [
    ["str", "x"],
    ["None", null],
    ["empty tuple", []],
    ["1-tuple", ["127.0.0.1"]],
    ["3-tuple", ["127.0.0.1", 80, 0]],
    ["host int", [1, 80]],
    ["host None", [null, 80]],
    ["port -1", ["127.0.0.1", -1]],
    ["port 65536", ["127.0.0.1", 65536]],
    ["port NaN", ["127.0.0.1", NAN]],
    ["port Infinity", ["127.0.0.1", INF]],
    ["port str", ["127.0.0.1", "80"]],
    ["port huge", ["127.0.0.1", HUGE]],
    ["host NUL", ["a\0b", 80]],
    ["port float", ["127.0.0.1", 1.5]],
  ];
  for (const [n, v] of inetBad) {
    c(`bind(inet ${n})`, () => fresh().bind(any(v)));
    c(`connect(inet ${n})`, () => fresh().connect(any(v)));
    c(`sendto(inet ${n})`, () => u.sendto("x", any(v)));
    c(`connect_ex(inet ${n})`, () => fresh().connect_ex(any(v)));
  }
  const unixBad: [string, unknown][] = [["int", 5], ["None", null], ["NUL", "a\0b"], [
    "too long",
    "x".repeat(200),
  ], ["tuple", ["a", 1]]];
  for (const [n, v] of unixBad) {
    c(`bind(unix ${n})`, () => fresh(S.AF_UNIX).bind(any(v)));
    c(`connect(unix ${n})`, () => fresh(S.AF_UNIX).connect(any(v)));
  }
  c("connect(unix missing)", () => fresh(S.AF_UNIX).connect("/nonexistent-dir-unisock/x.sock"));
  for (
    const [n, v] of [["5-tuple", ["::1", 80, 0, 0, 0]], ["flowinfo -1", ["::1", 80, -1]], [
      "flowinfo huge",
      ["::1", 80, 2 ** 20],
    ], ["scope str", ["::1", 80, 0, "x"]]] as [string, unknown][]
  ) {
    c(`bind(inet6 ${n})`, () => fresh(S.AF_INET6).bind(any(v)));
  }
  for (
    const [n, v] of [["str", "x"], ["negative", -1], ["NaN", NAN], ["float", 1.5], ["huge", HUGE], [
      "None",
      null,
    ]] as [string, unknown][]
  ) {
    c(`recv(bufsize=${n})`, () => a.recv(any(v)));
    c(`recvfrom(bufsize=${n})`, () => a.recvfrom(any(v)));
    c(`recv(flags=${n})`, () => a.recv(1, any(v)));
  }
  for (const [n, v] of [["str", "x"], ["None", null], ["int", 5]] as [string, unknown][]) {
    c(`recv_into(buffer=${n})`, () => a.recv_into(any(v)));
    c(`recvfrom_into(buffer=${n})`, () => a.recvfrom_into(any(v)));
  }
  for (
    const [n, v] of [["negative", -1], ["too big", 9], ["NaN", NAN], ["str", "x"]] as [
      string,
      unknown,
    ][]
  ) {
    c(`recv_into(nbytes=${n})`, () => a.recv_into(new Uint8Array(8), any(v)));
  }
  for (
    const [n, v] of [["int", 5], ["None", null], ["dict", {}], ["float", 1.5]] as [
      string,
      unknown,
    ][]
  ) {
    c(`send(data=${n})`, () => a.send(any(v)));
    c(`sendall(data=${n})`, () => a.sendall(any(v)));
    c(`sendto(data=${n})`, () => u.sendto(any(v), ["127.0.0.1", 9]));
  }
  for (const [n, v] of [["str", "x"], ["NaN", NAN], ["huge", HUGE]] as [string, unknown][]) {
    c(`send(flags=${n})`, () => a.send("x", any(v)));
    c(`sendall(flags=${n})`, () => a.sendall("x", any(v)));
  }
  c("sendto(oversized 65508)", () => u.sendto(new Uint8Array(65508), ["127.0.0.1", 9]));
  c("sendto(flags str)", () => u.sendto("x", any("x"), ["127.0.0.1", 9]));
  for (
    const [n, v] of [["str", "x"], ["NaN", NAN], ["3", 3], ["negative", -1], ["huge", HUGE]] as [
      string,
      unknown,
    ][]
  ) {
    c(`shutdown(${n})`, () => a.shutdown(any(v)));
  }
  for (
    const [n, v] of [["str", "x"], ["NaN", NAN], ["float", 1.5], ["huge", HUGE], [
      "None",
      null,
    ]] as [string, unknown][]
  ) {
    c(`setsockopt(level=${n})`, () => s.setsockopt(any(v), S.SO_REUSEADDR, 1));
    c(`setsockopt(optname=${n})`, () => s.setsockopt(S.SOL_SOCKET, any(v), 1));
    c(`getsockopt(level=${n})`, () => s.getsockopt(any(v), S.SO_REUSEADDR));
    c(`getsockopt(optname=${n})`, () => s.getsockopt(S.SOL_SOCKET, any(v)));
  }
  for (
    const [n, v] of [["str", "x"], ["NaN", NAN], ["float", 1.5], ["huge", HUGE], ["dict", {}]] as [
      string,
      unknown,
    ][]
  ) {
    c(`setsockopt(value=${n})`, () => s.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, any(v)));
  }
  c("setsockopt(unknown option)", () => s.setsockopt(S.SOL_SOCKET, 9999, 1));
  c("getsockopt(unknown option)", () => s.getsockopt(S.SOL_SOCKET, 9999));
  c("setsockopt(unknown level)", () => s.setsockopt(9999, 1, 1));
  c("makefile(mode='x')", () => s.makefile("x"));
  c("makefile(mode='rt+')", () => s.makefile("rt+"));
  c("closed.listen()", () => closed.listen());
  c("closed.settimeout()", () => closed.settimeout(1));
  c("closed.setsockopt()", () => closed.setsockopt(1, 2, 1));
  c("closed.getsockopt()", () => closed.getsockopt(1, 2));
  c("closed.getsockname()", () => closed.getsockname());
  c("closed.getpeername()", () => closed.getpeername());
  c("closed.bind() async", () => closed.bind(["127.0.0.1", 0]));
  c("closed.connect() async", () => closed.connect(["127.0.0.1", PORT]));
  c("closed.recv() async", () => closed.recv(1));
  c("closed.send() async", () => closed.send("x"));
  c("closed.sendall() async", () => closed.sendall("x"));
  c("closed.accept() async", () => closed.accept());
  c("closed.shutdown() async", () => closed.shutdown(1));
  for (
    const [n, v] of [["str", "x"], ["None", null], ["3-tuple", ["127.0.0.1", 1, 2]], ["port -1", [
      "127.0.0.1",
      -1,
    ]], ["host NUL", ["a\0b", 80]]] as [string, unknown][]
  ) {
    c(`create_connection(address=${n})`, () => S.create_connection(any(v)));
  }
  for (
    const [n, v] of [["str", "x"], ["port -1", ["127.0.0.1", -1]], ["port 65536", [
      "127.0.0.1",
      65536,
    ]]] as [string, unknown][]
  ) {
    c(`create_server(address=${n})`, () => S.create_server(any(v)));
  }
  c("create_server(backlog str)", () => S.create_server(["127.0.0.1", 0], { backlog: any("x") }));
  c("create_server(family 99)", () => S.create_server(["127.0.0.1", 0], { family: 99 }));
  c(
    "create_server(dualstack on AF_INET)",
    () => S.create_server(["127.0.0.1", 0], { dualstack_ipv6: true }),
  );
  for (const [n, v] of [["str", "x"], ["99", 99], ["NaN", NAN]] as [string, unknown][]) {
    c(`socketpair(family=${n})`, () => S.socketpair(any(v)));
    c(`socketpair(type=${n})`, () => S.socketpair(S.AF_UNIX, any(v)));
  }
  for (const [n, v] of [["int", 5], ["dict", {}], ["NUL", "a\0b"]] as [string, unknown][]) {
    c(`getaddrinfo(host=${n})`, () => S.getaddrinfo(any(v), 80));
  }
  for (
    const [n, v] of [
      ["float", 1.5],
      ["dict", {}],
      ["NaN", NAN],
      ["bad service", "no-such-service"],
      ["-1", -1],
      ["huge", HUGE],
    ] as [string, unknown][]
  ) {
    c(`getaddrinfo(port=${n})`, () => S.getaddrinfo("127.0.0.1", any(v)));
  }
  for (
    const [i, name] of [[2, "family"], [3, "type"], [4, "proto"], [5, "flags"]] as [
      number,
      string,
    ][]
  ) {
    for (const [n, v] of [["str", "x"], ["NaN", NAN], ["huge", HUGE]] as [string, unknown][]) {
      const args: unknown[] = ["127.0.0.1", 80, 0, 0, 0, 0];
      args[i] = v;
      c(
        `getaddrinfo(${name}=${n})`,
        () => (S.getaddrinfo as (...a: unknown[]) => unknown)(...args),
      );
    }
  }
  c("getaddrinfo(family=99)", () => S.getaddrinfo("127.0.0.1", 80, 99));
  c("getaddrinfo(no host no port)", () => S.getaddrinfo(null, null));
  for (const fn of ["gethostbyname", "gethostbyname_ex", "gethostbyaddr"] as const) {
    for (
      const [n, v] of [["int", 5], ["None", null], ["NUL", "a\0b"], ["dict", {}]] as [
        string,
        unknown,
      ][]
    ) {
      c(`${fn}(${n})`, () => S[fn](any(v)));
    }
  }
  c("gethostbyname(bad name)", () => S.gethostbyname("no-such-host.invalid"));
  for (const [n, v] of [["int", 5], ["None", null], ["NUL", "a\0b"]] as [string, unknown][]) {
    c(`getservbyname(name=${n})`, () => S.getservbyname(any(v)));
    c(`getservbyname(proto=${n})`, () => S.getservbyname("http", any(v)));
  }
  c("getservbyname(unknown)", () => S.getservbyname("no-such-service"));
  for (
    const [n, v] of [["str", "x"], ["-1", -1], ["65536", 65536], ["NaN", NAN], ["float", 1.5], [
      "huge",
      HUGE,
    ]] as [string, unknown][]
  ) {
    c(`getservbyport(port=${n})`, () => S.getservbyport(any(v)));
  }
  c("getservbyport(proto int)", () => S.getservbyport(80, any(5)));
  c("getservbyport(unknown)", () => S.getservbyport(1, "udp"));
  const B = (t: string) => new TextEncoder().encode(t);
  for (
    const [n, v] of [
      ["int", 5],
      ["None", null],
      ["empty", ""],
      ["NUL", "1.2.3.4\0"],
      ["5 parts", "1.2.3.4.5"],
      ["256", "256.1.1.1"],
      ["bytes", B("1.2.3.4")],
    ] as [string, unknown][]
  ) {
    c(`inet_aton(${n})`, () => S.inet_aton(any(v)));
  }
  for (
    const [n, v] of [["str", "abcd"], ["None", null], ["3 bytes", B("abc")], [
      "5 bytes",
      B("abcde"),
    ], ["int", 5]] as [string, unknown][]
  ) {
    c(`inet_ntoa(${n})`, () => S.inet_ntoa(any(v)));
  }
  for (
    const [n, v] of [["str", "x"], ["99", 99], ["NaN", NAN], ["huge", HUGE]] as [string, unknown][]
  ) {
    c(`inet_pton(af=${n})`, () => S.inet_pton(any(v), "1.2.3.4"));
    c(`inet_ntop(af=${n})`, () => S.inet_ntop(any(v), B("abcd")));
  }
  for (
    const [n, v] of [["int", 5], ["None", null], ["empty", ""], ["NUL", "1.2.3.4\0"], [
      "v6 garbage",
      "::1::",
    ], ["bytes", B("::1")]] as [string, unknown][]
  ) {
    c(`inet_pton(AF_INET6, ${n})`, () => S.inet_pton(S.AF_INET6, any(v)));
  }
  c("inet_pton(AF_INET, '1.2.3')", () => S.inet_pton(S.AF_INET, "1.2.3"));
  for (
    const [n, v] of [["str", "abcd"], ["None", null], ["3 bytes", B("abc")], [
      "17 bytes",
      new Uint8Array(17),
    ]] as [string, unknown][]
  ) {
    c(`inet_ntop(AF_INET6, ${n})`, () => S.inet_ntop(S.AF_INET6, any(v)));
  }
  c("inet_ntop(AF_INET, 5 bytes)", () => S.inet_ntop(S.AF_INET, B("abcde")));
  for (const fn of ["htons", "ntohs", "htonl", "ntohl"] as const) {
    for (
      const [n, v] of [
        ["str", "x"],
        ["negative", -1],
        ["NaN", NAN],
        ["float", 1.5],
        ["huge", HUGE],
        ["None", null],
      ] as [string, unknown][]
    ) {
      c(`${fn}(${n})`, () => S[fn](any(v)));
    }
  }
  c("htons(65536)", () => S.htons(65536));
  c("htonl(2**32)", () => S.htonl(2 ** 32));
  return {
    cases,
    cleanup: () => {
      for (const x of [srv, a, b]) x.close();
    },
  };
}

test("bad input: every argument of every socket function fails as in CPython", async () => {
  const fds0 = osFdCount();
  const lib0 = await libFdProbe(32);
  const made: S.Socket[] = [];
  const { cases, cleanup } = await buildCases(made);
  const wrong: string[] = [];
  let tried = 0;
  const defaultTimeout = S.getdefaulttimeout();
  try {
    for (const [label, fn] of cases) {
      const differs = DIFFERS[label];
      const want = differs?.[0] ?? PY[label];
      assert.ok(want !== undefined, `no CPython expectation for ${label}`);
      tried++;
      const asyncCall = isAsync(label);
      let result: unknown;
      try {
        result = fn();
      } catch (e) {
        if (asyncCall) wrong.push(`${label}: threw synchronously (${describe(e)}), must reject`);
        else if (describe(e) !== want) wrong.push(`${label}: ${describe(e)}\n    CPython: ${want}`);
        continue;
      }
      if (!asyncCall) {
        wrong.push(`${label}: returned ${String(result)} instead of throwing ${want}`);
        continue;
      }
      if (!(result instanceof Promise)) {
        wrong.push(`${label}: returned ${String(result)}, not a Promise`);
        continue;
      }
      if (!await settlesWithin(result, 3000)) {
        wrong.push(`${label}: still pending after 3 s`);
        result.then((v) => v instanceof S.Socket && v.close(), () => {});
        continue;
      }
      try {
        const v = await result;
        if (v instanceof S.Socket) v.close();
        wrong.push(`${label}: resolved instead of rejecting with ${want}`);
      } catch (e) {
        if (describe(e) !== want) wrong.push(`${label}: ${describe(e)}\n    CPython: ${want}`);
      }
    }
  } finally {
    S.setdefaulttimeout(defaultTimeout);
    cleanup();
    for (const x of made) x.close();
  }
  console.log(`# ${tried} bad inputs tried, ${Object.keys(DIFFERS).length} documented differences`);
  assert.deepEqual(wrong, []);
  assert.ok(tried >= 300);
  // Nothing leaked: OS descriptors and library descriptors are as before.
  assert.ok(
    await eventually(() => osFdCount() <= fds0, 5000),
    `fds ${osFdCount()} > baseline ${fds0}`,
  );
  assert.deepEqual(await libFdProbe(32), lib0);
});

test("bad input: edge values CPython accepts are accepted too", async () => {
  const s = S.socket();
  try {
    s.listen(-1); // a negative backlog means 0
    s.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, -(2 ** 31)); // the smallest C int
    s.settimeout(9_000_000_000); // about 285 years: still a valid timeout
    assert.equal(s.gettimeout(), 9_000_000_000);
    s.setblocking(2 as unknown as boolean); // any int: true
    assert.equal(s.getblocking(), true);
  } finally {
    s.close();
  }
  assert.equal(s.fileno(), -1, "fileno() of a closed socket is -1, not an error");
  // A numeric port beyond 65535 is passed to getaddrinfo as text; glibc keeps its low 16 bits.
  const [[, , , , sa]] = await S.getaddrinfo("127.0.0.1", 65536 + 80, S.AF_INET, S.SOCK_STREAM);
  assert.deepEqual(sa, ["127.0.0.1", 80]);
  assert.equal(S.htonl(2 ** 32 - 1), 2 ** 32 - 1);
  assert.equal(S.htons(65535), 65535);
});

test("bad input: 1,000 failing binds leak no descriptor (OS fds and library fds)", async () => {
  const fds0 = osFdCount();
  const lib0 = await libFdProbe(16);
  const taken = await S.create_server(["127.0.0.1", 0]);
  const addr = taken.getsockname();
  try {
    const inUse = (e: unknown) => e instanceof S.OSError && e.errno === 98;
    for (let i = 0; i < 1000; i++) {
      const s = S.socket();
      try {
        if (i % 4 === 3) {
          // bad arguments, then the port in use, on one socket
          await assert.rejects(s.bind(["127.0.0.1", -1]), RangeError);
          await assert.rejects(s.bind(["a\0b", 0]), TypeError);
        }
        await assert.rejects(s.bind(addr), inUse);
      } finally {
        s.close();
      }
    }
    // The same socket failing again and again holds one descriptor.
    const s = S.socket();
    try {
      for (let i = 0; i < 100; i++) await assert.rejects(s.bind(addr), inUse);
    } finally {
      s.close();
    }
    // Failed connects too.
    const dead = S.socket();
    await dead.bind(["127.0.0.1", 0]);
    const deadAddr = dead.getsockname();
    dead.close();
    for (let i = 0; i < 200; i++) {
      const c = S.socket();
      try {
        assert.equal(await c.connect_ex(deadAddr), 111);
      } finally {
        c.close();
      }
    }
  } finally {
    taken.close();
  }
  assert.ok(
    await eventually(() => osFdCount() <= fds0, 5000),
    `fds ${osFdCount()} > baseline ${fds0}`,
  );
  assert.deepEqual(await libFdProbe(16), lib0);
});

/** CPython's answers for select, poll, epoll and selectors (as PY above). */
const PY_SELECT: Record<string, string> = {
  "select(rlist=str)": "TypeError: argument must be an int, or have a fileno() method.",
  "select(wlist=str)": "TypeError: argument must be an int, or have a fileno() method.",
  "select(rlist=None)": "TypeError: arguments 1-3 must be sequences",
  "select(wlist=None)": "TypeError: arguments 1-3 must be sequences",
  "select(rlist=int)": "TypeError: arguments 1-3 must be sequences",
  "select(wlist=int)": "TypeError: arguments 1-3 must be sequences",
  "select(timeout=str)": "TypeError: timeout must be a float or None",
  "select(timeout=negative)": "RangeError: timeout must be non-negative",
  "select(timeout=NaN)": "RangeError: Invalid value NaN (not a number)",
  "select(timeout=dict)": "TypeError: timeout must be a float or None",
  "select([negative fd])": "RangeError: file descriptor cannot be a negative integer (-1)",
  "select([str item])": "TypeError: argument must be an int, or have a fileno() method.",
  "select([dict item])": "TypeError: argument must be an int, or have a fileno() method.",
  "select([float item])": "TypeError: argument must be an int, or have a fileno() method.",
  "select([None item])": "TypeError: argument must be an int, or have a fileno() method.",
  "select([closed socket])": "RangeError: file descriptor cannot be a negative integer (-1)",
  "poll.register(fd=str)": "TypeError: argument must be an int, or have a fileno() method.",
  "poll.register(fd=negative)": "RangeError: file descriptor cannot be a negative integer (-1)",
  "poll.register(fd=None)": "TypeError: argument must be an int, or have a fileno() method.",
  "poll.register(fd=float)": "TypeError: argument must be an int, or have a fileno() method.",
  "poll.register(eventmask=str)": "TypeError: an integer is required",
  "poll.register(eventmask=negative)": "RangeError: value must be positive",
  "poll.register(eventmask=huge)": "RangeError: Python int too large to convert to C unsigned long",
  "poll.modify(unregistered)": "FileNotFoundError: [Errno 2] No such file or directory",
  "poll.unregister(unregistered)": "KeyError: 3",
  "poll.poll(timeout=str)": "TypeError: timeout must be an integer or None",
  "poll.poll(timeout=NaN)": "RangeError: Invalid value NaN (not a number)",
  "poll.poll(timeout=dict)": "TypeError: timeout must be an integer or None",
  "poll.poll(timeout=huge)": "RangeError: timestamp too large to convert to C _PyTime_t",
  "epoll.register(fd=str)": "TypeError: argument must be an int, or have a fileno() method.",
  "epoll.register(fd=negative)": "RangeError: file descriptor cannot be a negative integer (-1)",
  "epoll.register(twice)": "FileExistsError: [Errno 17] File exists",
  "epoll.modify(unregistered)": "FileNotFoundError: [Errno 2] No such file or directory",
  "epoll.unregister(unregistered)": "FileNotFoundError: [Errno 2] No such file or directory",
  "epoll.poll(timeout=str)": "TypeError: timeout must be an integer or None",
  "epoll.poll(timeout=NaN)": "RangeError: Invalid value NaN (not a number)",
  "epoll.poll(maxevents=0)": "RangeError: maxevents must be greater than 0, got 0",
  "epoll.poll(maxevents=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "epoll(sizehint=0)": "RangeError: negative sizehint",
  "epoll(sizehint=str)": "TypeError: 'str' object cannot be interpreted as an integer",
  "closed epoll.register": "RangeError: I/O operation on closed epoll object",
  "selector.register(events=0)": "RangeError: Invalid events: 0",
  "selector.register(events=4)": "RangeError: Invalid events: 4",
  "selector.register(events=str)": "TypeError: unsupported operand type(s) for &: 'str' and 'int'",
  "selector.register(events=negative)": "RangeError: Invalid events: -1",
  "selector.register(fileobj=negative)": "RangeError: Invalid file descriptor: -1",
  "selector.register(fileobj=str)": "RangeError: Invalid file object: 'x'",
  "selector.register(twice)":
    "KeyError: <socket.socket fd=3, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)> (FD 3) is already registered",
  "selector.unregister(unregistered)":
    "KeyError: <socket.socket fd=3, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)> is not registered",
  "selector.modify(unregistered)":
    "KeyError: <socket.socket fd=3, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)> is not registered",
  "selector.get_key(unregistered)":
    "KeyError: <socket.socket fd=3, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)> is not registered",
  "selector.select(timeout=str)":
    "TypeError: '<=' not supported between instances of 'str' and 'int'",
  "selector.select(timeout=NaN)": "RangeError: cannot convert float NaN to integer",
};

/** Deliberate differences in select/selectors: a message, or a pattern, and why. */
const DIFFERS_SELECT: Record<string, [string | RegExp, string]> = {
  "epoll.register(twice)": [
    "OSError: [Errno 17] File exists",
    "the library has no FileExistsError class (not in the API's error list); the errno is the same",
  ],
  "poll.register(eventmask=huge)": [
    "RangeError: Python int too large for C unsigned short",
    "CPython 3.12's wording (the API's reference); the python3 here (3.11) says 'to convert to C unsigned long'",
  ],
  "selector.register(events=str)": [
    "TypeError: Invalid events: 'x'",
    "CPython's message comes from its internal '&' on a str",
  ],
  "selector.select(timeout=str)": [
    "TypeError: timeout must be a number or null",
    "CPython's message comes from its internal '<=' on a str",
  ],
  "selector.select(timeout=NaN)": [
    "RangeError: Invalid value NaN (not a number)",
    "CPython's message comes from math.ceil; the class is the same",
  ],
  "selector.register(twice)": [
    /^KeyError: <socket\.socket fd=\d+, family=2, type=1, proto=0> \(FD \d+\) is already registered$/,
    "a unisock socket's repr has no laddr",
  ],
  "selector.unregister(unregistered)": [
    /^KeyError: <socket\.socket fd=\d+, family=2, type=1, proto=0> is not registered$/,
    "as above",
  ],
  "selector.modify(unregistered)": [
    /^KeyError: <socket\.socket fd=\d+, family=2, type=1, proto=0> is not registered$/,
    "as above",
  ],
  "selector.get_key(unregistered)": [
    /^KeyError: <socket\.socket fd=\d+, family=2, type=1, proto=0> is not registered$/,
    "as above",
  ],
};

/** The select calls that return a Promise. */
const ASYNC_SELECT = /^(select\(|poll\.poll|epoll\.poll|selector\.select)/;

test("bad input: select, poll, epoll and selectors arguments fail as in CPython", async () => {
  const made: S.Socket[] = [];
  const fresh = () => {
    const s = S.socket();
    made.push(s);
    return s;
  };
  const NAN = NaN, HUGE = 2 ** 64;
  type Case = [string, () => unknown];
  const s = fresh();
  const cases: Case[] = [];
  const c = (l: string, f: () => unknown) => cases.push([l, f]);
  const any = (v: unknown) => v as never;
  for (const [n, v] of [["str", "x"], ["None", null], ["int", 5]] as [string, unknown][]) {
    c(`select(rlist=${n})`, () => SEL.select(any(v), [], [], 0));
    c(`select(wlist=${n})`, () => SEL.select([], any(v), [], 0));
  }
  for (
    const [n, v] of [["str", "x"], ["negative", -1], ["NaN", NAN], ["dict", {}]] as [
      string,
      unknown,
    ][]
  ) {
    c(`select(timeout=${n})`, () => SEL.select([], [], [], any(v)));
  }
  for (
    const [n, v] of [
      ["negative fd", -1],
      ["str item", "x"],
      ["dict item", {}],
      ["float item", 1.5],
      ["None item", null],
    ] as [string, unknown][]
  ) {
    c(`select([${n}])`, () => SEL.select([any(v)], [], [], 0));
  }
  c("select([closed socket])", () => {
    const x = fresh();
    x.close();
    return SEL.select([x], [], [], 0);
  });
  const p = SEL.poll();
  for (
    const [n, v] of [["str", "x"], ["negative", -1], ["None", null], ["float", 1.5]] as [
      string,
      unknown,
    ][]
  ) {
    c(`poll.register(fd=${n})`, () => p.register(any(v)));
  }
  c("poll.register(eventmask=str)", () => p.register(s, any("x")));
  c("poll.register(eventmask=negative)", () => p.register(s, -1));
  c("poll.register(eventmask=huge)", () => p.register(s, HUGE));
  c("poll.modify(unregistered)", () => SEL.poll().modify(s, 1));
  c("poll.unregister(unregistered)", () => SEL.poll().unregister(s));
  for (
    const [n, v] of [["str", "x"], ["NaN", NAN], ["dict", {}], ["huge", HUGE]] as [
      string,
      unknown,
    ][]
  ) {
    c(`poll.poll(timeout=${n})`, () => SEL.poll().poll(any(v)));
  }
  const e = SEL.epoll();
  c("epoll.register(fd=str)", () => e.register(any("x")));
  c("epoll.register(fd=negative)", () => e.register(-1));
  c("epoll.register(twice)", () => {
    const ep = SEL.epoll();
    ep.register(s);
    ep.register(s);
  });
  c("epoll.modify(unregistered)", () => SEL.epoll().modify(s, 1));
  c("epoll.unregister(unregistered)", () => SEL.epoll().unregister(s));
  for (const [n, v] of [["str", "x"], ["NaN", NAN]] as [string, unknown][]) {
    c(`epoll.poll(timeout=${n})`, () => SEL.epoll().poll(any(v)));
  }
  c("epoll.poll(maxevents=0)", () => SEL.epoll().poll(0, 0));
  c("epoll.poll(maxevents=str)", () => SEL.epoll().poll(0, any("x")));
  c("epoll(sizehint=0)", () => SEL.epoll(0));
  c("epoll(sizehint=str)", () => SEL.epoll(any("x")));
  c("closed epoll.register", () => {
    const ep = SEL.epoll();
    ep.close();
    ep.register(s);
  });
  for (
    const [n, v] of [["0", 0], ["4", 4], ["str", "x"], ["negative", -1]] as [string, unknown][]
  ) {
    c(`selector.register(events=${n})`, () => new SS.DefaultSelector().register(s, any(v)));
  }
  c("selector.register(fileobj=negative)", () => new SS.DefaultSelector().register(any(-1), 1));
  c("selector.register(fileobj=str)", () => new SS.DefaultSelector().register(any("x"), 1));
  c("selector.register(twice)", () => {
    const sel = new SS.DefaultSelector();
    sel.register(s, 1);
    sel.register(s, 1);
  });
  c("selector.unregister(unregistered)", () => new SS.DefaultSelector().unregister(s));
  c("selector.modify(unregistered)", () => new SS.DefaultSelector().modify(s, 1));
  c("selector.get_key(unregistered)", () => new SS.DefaultSelector().get_key(s));
  for (const [n, v] of [["str", "x"], ["NaN", NAN]] as [string, unknown][]) {
    c(`selector.select(timeout=${n})`, () => new SS.DefaultSelector().select(any(v)));
  }
  const wrong: string[] = [];
  try {
    for (const [label, fn] of cases) {
      const differs = DIFFERS_SELECT[label];
      const want = differs?.[0] ?? PY_SELECT[label];
      assert.ok(want !== undefined, `no CPython expectation for ${label}`);
      const matches = (got: string) => typeof want === "string" ? got === want : want.test(got);
      const asyncCall = ASYNC_SELECT.test(label);
      let result: unknown;
      try {
        result = fn();
      } catch (e) {
        if (asyncCall) wrong.push(`${label}: threw synchronously (${describe(e)}), must reject`);
        else if (!matches(describe(e))) {
          wrong.push(`${label}: ${describe(e)}\n    CPython: ${want}`);
        }
        continue;
      }
      if (!asyncCall || !(result instanceof Promise)) {
        wrong.push(`${label}: returned ${String(result)} instead of failing with ${want}`);
        continue;
      }
      if (!await settlesWithin(result, 3000)) {
        wrong.push(`${label}: still pending after 3 s`);
        continue;
      }
      try {
        await result;
        wrong.push(`${label}: resolved instead of rejecting with ${want}`);
      } catch (e) {
        if (!matches(describe(e))) wrong.push(`${label}: ${describe(e)}\n    CPython: ${want}`);
      }
    }
  } finally {
    for (const x of made) x.close();
  }
  console.log(
    `# ${cases.length} bad select/selectors inputs tried, ${
      Object.keys(DIFFERS_SELECT).length
    } documented differences`,
  );
  assert.deepEqual(wrong, []);
});
