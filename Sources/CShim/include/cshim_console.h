// CShim, a container's terminal: a pseudo-terminal pair, the slave made the controlling
// terminal, and the master handed to whoever asked for it over a unix socket (SCM_RIGHTS) —
// ioctl(2) and the cmsg macros are variadic or macros Swift cannot call.
#ifndef CSHIM_CONSOLE_H
#define CSHIM_CONSOLE_H

/// Open a new pseudo-terminal: its master (returned) and, in *slave, its slave side.
/// Returns -1 with errno on failure.
int cshim_open_pty(int *slave);

/// ioctl(fd, TIOCSCTTY, 0): make the terminal the caller's controlling terminal (after setsid).
int cshim_set_controlling_terminal(int fd);

/// ioctl(fd, TIOCSWINSZ): the terminal's size in rows and columns.
int cshim_set_window_size(int fd, unsigned short rows, unsigned short columns);

/// Send `fd` over the connected unix socket `socket` with SCM_RIGHTS, with `name` as the data
/// (runc sends the pty's name; engines read the descriptor).
int cshim_send_descriptor(int socket, int fd, const char *name);

/// Receive one descriptor sent with SCM_RIGHTS (for tests and engines written in Swift);
/// -1 with errno on failure.
int cshim_receive_descriptor(int socket);

/// A stream socket connected to the unix socket at `path` (close-on-exec); -1 with errno.
int cshim_connect_unix(const char *path);

/// A stream socket listening at `path` (for tests standing in for an engine); -1 with errno.
int cshim_listen_unix(const char *path);

#endif
