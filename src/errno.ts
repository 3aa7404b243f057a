/**
 * Linux errno numbers, as in Python's `errno` module.
 *
 * @example Look up a name
 * ```ts
 * import { ECONNREFUSED, errorcode } from "@unisock/socket/errno";
 * console.log(ECONNREFUSED, errorcode[ECONNREFUSED]); // 111 "ECONNREFUSED"
 * ```
 *
 * @module
 */

/** `EPERM` (1): Operation not permitted. */
export const EPERM = 1;
/** `ENOENT` (2): No such file or directory. */
export const ENOENT = 2;
/** `ESRCH` (3): No such process. */
export const ESRCH = 3;
/** `EINTR` (4): Interrupted system call. */
export const EINTR = 4;
/** `EIO` (5): Input/output error. */
export const EIO = 5;
/** `ENXIO` (6): No such device or address. */
export const ENXIO = 6;
/** `E2BIG` (7): Argument list too long. */
export const E2BIG = 7;
/** `ENOEXEC` (8): Exec format error. */
export const ENOEXEC = 8;
/** `EBADF` (9): Bad file descriptor. */
export const EBADF = 9;
/** `ECHILD` (10): No child processes. */
export const ECHILD = 10;
/** `EAGAIN` (11): Resource temporarily unavailable. */
export const EAGAIN = 11;
/** `EWOULDBLOCK` (11): Resource temporarily unavailable. */
export const EWOULDBLOCK = 11;
/** `ENOMEM` (12): Cannot allocate memory. */
export const ENOMEM = 12;
/** `EACCES` (13): Permission denied. */
export const EACCES = 13;
/** `EFAULT` (14): Bad address. */
export const EFAULT = 14;
/** `ENOTBLK` (15): Block device required. */
export const ENOTBLK = 15;
/** `EBUSY` (16): Device or resource busy. */
export const EBUSY = 16;
/** `EEXIST` (17): File exists. */
export const EEXIST = 17;
/** `EXDEV` (18): Invalid cross-device link. */
export const EXDEV = 18;
/** `ENODEV` (19): No such device. */
export const ENODEV = 19;
/** `ENOTDIR` (20): Not a directory. */
export const ENOTDIR = 20;
/** `EISDIR` (21): Is a directory. */
export const EISDIR = 21;
/** `EINVAL` (22): Invalid argument. */
export const EINVAL = 22;
/** `ENFILE` (23): Too many open files in system. */
export const ENFILE = 23;
/** `EMFILE` (24): Too many open files. */
export const EMFILE = 24;
/** `ENOTTY` (25): Inappropriate ioctl for device. */
export const ENOTTY = 25;
/** `ETXTBSY` (26): Text file busy. */
export const ETXTBSY = 26;
/** `EFBIG` (27): File too large. */
export const EFBIG = 27;
/** `ENOSPC` (28): No space left on device. */
export const ENOSPC = 28;
/** `ESPIPE` (29): Illegal seek. */
export const ESPIPE = 29;
/** `EROFS` (30): Read-only file system. */
export const EROFS = 30;
/** `EMLINK` (31): Too many links. */
export const EMLINK = 31;
/** `EPIPE` (32): Broken pipe. */
export const EPIPE = 32;
/** `EDOM` (33): Numerical argument out of domain. */
export const EDOM = 33;
/** `ERANGE` (34): Numerical result out of range. */
export const ERANGE = 34;
/** `EDEADLK` (35): Resource deadlock avoided. */
export const EDEADLK = 35;
/** `EDEADLOCK` (35): Resource deadlock avoided. */
export const EDEADLOCK = 35;
/** `ENAMETOOLONG` (36): File name too long. */
export const ENAMETOOLONG = 36;
/** `ENOLCK` (37): No locks available. */
export const ENOLCK = 37;
/** `ENOSYS` (38): Function not implemented. */
export const ENOSYS = 38;
/** `ENOTEMPTY` (39): Directory not empty. */
export const ENOTEMPTY = 39;
/** `ELOOP` (40): Too many levels of symbolic links. */
export const ELOOP = 40;
/** `ENOMSG` (42): No message of desired type. */
export const ENOMSG = 42;
/** `EIDRM` (43): Identifier removed. */
export const EIDRM = 43;
/** `ECHRNG` (44): Channel number out of range. */
export const ECHRNG = 44;
/** `EL2NSYNC` (45): Level 2 not synchronized. */
export const EL2NSYNC = 45;
/** `EL3HLT` (46): Level 3 halted. */
export const EL3HLT = 46;
/** `EL3RST` (47): Level 3 reset. */
export const EL3RST = 47;
/** `ELNRNG` (48): Link number out of range. */
export const ELNRNG = 48;
/** `EUNATCH` (49): Protocol driver not attached. */
export const EUNATCH = 49;
/** `ENOCSI` (50): No CSI structure available. */
export const ENOCSI = 50;
/** `EL2HLT` (51): Level 2 halted. */
export const EL2HLT = 51;
/** `EBADE` (52): Invalid exchange. */
export const EBADE = 52;
/** `EBADR` (53): Invalid request descriptor. */
export const EBADR = 53;
/** `EXFULL` (54): Exchange full. */
export const EXFULL = 54;
/** `ENOANO` (55): No anode. */
export const ENOANO = 55;
/** `EBADRQC` (56): Invalid request code. */
export const EBADRQC = 56;
/** `EBADSLT` (57): Invalid slot. */
export const EBADSLT = 57;
/** `EBFONT` (59): Bad font file format. */
export const EBFONT = 59;
/** `ENOSTR` (60): Device not a stream. */
export const ENOSTR = 60;
/** `ENODATA` (61): No data available. */
export const ENODATA = 61;
/** `ETIME` (62): Timer expired. */
export const ETIME = 62;
/** `ENOSR` (63): Out of streams resources. */
export const ENOSR = 63;
/** `ENONET` (64): Machine is not on the network. */
export const ENONET = 64;
/** `ENOPKG` (65): Package not installed. */
export const ENOPKG = 65;
/** `EREMOTE` (66): Object is remote. */
export const EREMOTE = 66;
/** `ENOLINK` (67): Link has been severed. */
export const ENOLINK = 67;
/** `EADV` (68): Advertise error. */
export const EADV = 68;
/** `ESRMNT` (69): Srmount error. */
export const ESRMNT = 69;
/** `ECOMM` (70): Communication error on send. */
export const ECOMM = 70;
/** `EPROTO` (71): Protocol error. */
export const EPROTO = 71;
/** `EMULTIHOP` (72): Multihop attempted. */
export const EMULTIHOP = 72;
/** `EDOTDOT` (73): RFS specific error. */
export const EDOTDOT = 73;
/** `EBADMSG` (74): Bad message. */
export const EBADMSG = 74;
/** `EOVERFLOW` (75): Value too large for defined data type. */
export const EOVERFLOW = 75;
/** `ENOTUNIQ` (76): Name not unique on network. */
export const ENOTUNIQ = 76;
/** `EBADFD` (77): File descriptor in bad state. */
export const EBADFD = 77;
/** `EREMCHG` (78): Remote address changed. */
export const EREMCHG = 78;
/** `ELIBACC` (79): Can not access a needed shared library. */
export const ELIBACC = 79;
/** `ELIBBAD` (80): Accessing a corrupted shared library. */
export const ELIBBAD = 80;
/** `ELIBSCN` (81): .lib section in a.out corrupted. */
export const ELIBSCN = 81;
/** `ELIBMAX` (82): Attempting to link in too many shared libraries. */
export const ELIBMAX = 82;
/** `ELIBEXEC` (83): Cannot exec a shared library directly. */
export const ELIBEXEC = 83;
/** `EILSEQ` (84): Invalid or incomplete multibyte or wide character. */
export const EILSEQ = 84;
/** `ERESTART` (85): Interrupted system call should be restarted. */
export const ERESTART = 85;
/** `ESTRPIPE` (86): Streams pipe error. */
export const ESTRPIPE = 86;
/** `EUSERS` (87): Too many users. */
export const EUSERS = 87;
/** `ENOTSOCK` (88): Socket operation on non-socket. */
export const ENOTSOCK = 88;
/** `EDESTADDRREQ` (89): Destination address required. */
export const EDESTADDRREQ = 89;
/** `EMSGSIZE` (90): Message too long. */
export const EMSGSIZE = 90;
/** `EPROTOTYPE` (91): Protocol wrong type for socket. */
export const EPROTOTYPE = 91;
/** `ENOPROTOOPT` (92): Protocol not available. */
export const ENOPROTOOPT = 92;
/** `EPROTONOSUPPORT` (93): Protocol not supported. */
export const EPROTONOSUPPORT = 93;
/** `ESOCKTNOSUPPORT` (94): Socket type not supported. */
export const ESOCKTNOSUPPORT = 94;
/** `ENOTSUP` (95): Operation not supported. */
export const ENOTSUP = 95;
/** `EOPNOTSUPP` (95): Operation not supported. */
export const EOPNOTSUPP = 95;
/** `EPFNOSUPPORT` (96): Protocol family not supported. */
export const EPFNOSUPPORT = 96;
/** `EAFNOSUPPORT` (97): Address family not supported by protocol. */
export const EAFNOSUPPORT = 97;
/** `EADDRINUSE` (98): Address already in use. */
export const EADDRINUSE = 98;
/** `EADDRNOTAVAIL` (99): Cannot assign requested address. */
export const EADDRNOTAVAIL = 99;
/** `ENETDOWN` (100): Network is down. */
export const ENETDOWN = 100;
/** `ENETUNREACH` (101): Network is unreachable. */
export const ENETUNREACH = 101;
/** `ENETRESET` (102): Network dropped connection on reset. */
export const ENETRESET = 102;
/** `ECONNABORTED` (103): Software caused connection abort. */
export const ECONNABORTED = 103;
/** `ECONNRESET` (104): Connection reset by peer. */
export const ECONNRESET = 104;
/** `ENOBUFS` (105): No buffer space available. */
export const ENOBUFS = 105;
/** `EISCONN` (106): Transport endpoint is already connected. */
export const EISCONN = 106;
/** `ENOTCONN` (107): Transport endpoint is not connected. */
export const ENOTCONN = 107;
/** `ESHUTDOWN` (108): Cannot send after transport endpoint shutdown. */
export const ESHUTDOWN = 108;
/** `ETOOMANYREFS` (109): Too many references: cannot splice. */
export const ETOOMANYREFS = 109;
/** `ETIMEDOUT` (110): Connection timed out. */
export const ETIMEDOUT = 110;
/** `ECONNREFUSED` (111): Connection refused. */
export const ECONNREFUSED = 111;
/** `EHOSTDOWN` (112): Host is down. */
export const EHOSTDOWN = 112;
/** `EHOSTUNREACH` (113): No route to host. */
export const EHOSTUNREACH = 113;
/** `EALREADY` (114): Operation already in progress. */
export const EALREADY = 114;
/** `EINPROGRESS` (115): Operation now in progress. */
export const EINPROGRESS = 115;
/** `ESTALE` (116): Stale file handle. */
export const ESTALE = 116;
/** `EUCLEAN` (117): Structure needs cleaning. */
export const EUCLEAN = 117;
/** `ENOTNAM` (118): Not a XENIX named type file. */
export const ENOTNAM = 118;
/** `ENAVAIL` (119): No XENIX semaphores available. */
export const ENAVAIL = 119;
/** `EISNAM` (120): Is a named type file. */
export const EISNAM = 120;
/** `EREMOTEIO` (121): Remote I/O error. */
export const EREMOTEIO = 121;
/** `EDQUOT` (122): Disk quota exceeded. */
export const EDQUOT = 122;
/** `ENOMEDIUM` (123): No medium found. */
export const ENOMEDIUM = 123;
/** `EMEDIUMTYPE` (124): Wrong medium type. */
export const EMEDIUMTYPE = 124;
/** `ECANCELED` (125): Operation canceled. */
export const ECANCELED = 125;
/** `ENOKEY` (126): Required key not available. */
export const ENOKEY = 126;
/** `EKEYEXPIRED` (127): Key has expired. */
export const EKEYEXPIRED = 127;
/** `EKEYREVOKED` (128): Key has been revoked. */
export const EKEYREVOKED = 128;
/** `EKEYREJECTED` (129): Key was rejected by service. */
export const EKEYREJECTED = 129;
/** `EOWNERDEAD` (130): Owner died. */
export const EOWNERDEAD = 130;
/** `ENOTRECOVERABLE` (131): State not recoverable. */
export const ENOTRECOVERABLE = 131;
/** `ERFKILL` (132): Operation not possible due to RF-kill. */
export const ERFKILL = 132;

/**
 * Maps an errno number to its symbolic name, as Python's `errno.errorcode`.
 *
 * @example Name an errno
 * ```ts
 * import { errorcode } from "@unisock/socket/errno";
 * console.log(errorcode[98]); // "EADDRINUSE"
 * ```
 */
export const errorcode: Readonly<Record<number, string>> = Object.freeze({
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  4: "EINTR",
  5: "EIO",
  6: "ENXIO",
  7: "E2BIG",
  8: "ENOEXEC",
  9: "EBADF",
  10: "ECHILD",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  15: "ENOTBLK",
  16: "EBUSY",
  17: "EEXIST",
  18: "EXDEV",
  19: "ENODEV",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  25: "ENOTTY",
  26: "ETXTBSY",
  27: "EFBIG",
  28: "ENOSPC",
  29: "ESPIPE",
  30: "EROFS",
  31: "EMLINK",
  32: "EPIPE",
  33: "EDOM",
  34: "ERANGE",
  35: "EDEADLOCK",
  36: "ENAMETOOLONG",
  37: "ENOLCK",
  38: "ENOSYS",
  39: "ENOTEMPTY",
  40: "ELOOP",
  42: "ENOMSG",
  43: "EIDRM",
  44: "ECHRNG",
  45: "EL2NSYNC",
  46: "EL3HLT",
  47: "EL3RST",
  48: "ELNRNG",
  49: "EUNATCH",
  50: "ENOCSI",
  51: "EL2HLT",
  52: "EBADE",
  53: "EBADR",
  54: "EXFULL",
  55: "ENOANO",
  56: "EBADRQC",
  57: "EBADSLT",
  59: "EBFONT",
  60: "ENOSTR",
  61: "ENODATA",
  62: "ETIME",
  63: "ENOSR",
  64: "ENONET",
  65: "ENOPKG",
  66: "EREMOTE",
  67: "ENOLINK",
  68: "EADV",
  69: "ESRMNT",
  70: "ECOMM",
  71: "EPROTO",
  72: "EMULTIHOP",
  73: "EDOTDOT",
  74: "EBADMSG",
  75: "EOVERFLOW",
  76: "ENOTUNIQ",
  77: "EBADFD",
  78: "EREMCHG",
  79: "ELIBACC",
  80: "ELIBBAD",
  81: "ELIBSCN",
  82: "ELIBMAX",
  83: "ELIBEXEC",
  84: "EILSEQ",
  85: "ERESTART",
  86: "ESTRPIPE",
  87: "EUSERS",
  88: "ENOTSOCK",
  89: "EDESTADDRREQ",
  90: "EMSGSIZE",
  91: "EPROTOTYPE",
  92: "ENOPROTOOPT",
  93: "EPROTONOSUPPORT",
  94: "ESOCKTNOSUPPORT",
  95: "ENOTSUP",
  96: "EPFNOSUPPORT",
  97: "EAFNOSUPPORT",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  100: "ENETDOWN",
  101: "ENETUNREACH",
  102: "ENETRESET",
  103: "ECONNABORTED",
  104: "ECONNRESET",
  105: "ENOBUFS",
  106: "EISCONN",
  107: "ENOTCONN",
  108: "ESHUTDOWN",
  109: "ETOOMANYREFS",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  112: "EHOSTDOWN",
  113: "EHOSTUNREACH",
  114: "EALREADY",
  115: "EINPROGRESS",
  116: "ESTALE",
  117: "EUCLEAN",
  118: "ENOTNAM",
  119: "ENAVAIL",
  120: "EISNAM",
  121: "EREMOTEIO",
  122: "EDQUOT",
  123: "ENOMEDIUM",
  124: "EMEDIUMTYPE",
  125: "ECANCELED",
  126: "ENOKEY",
  127: "EKEYEXPIRED",
  128: "EKEYREVOKED",
  129: "EKEYREJECTED",
  130: "EOWNERDEAD",
  131: "ENOTRECOVERABLE",
  132: "ERFKILL",
});
