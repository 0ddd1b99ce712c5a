/*
 * The files of the scorer command: where output goes, when two names are
 * one file, who holds a lock, and what happened when a write failed.
 * docs/files.md says what each command does with them.
 */
#ifndef SC_TOOL_FILE_H
#define SC_TOOL_FILE_H

#include <stddef.h>
#include <stdio.h>

/* An output written whole and put in place at the end (a report, a
 * summary).  A regular file (or a new one) is replaced at once when the
 * output is complete, from an unnamed temporary file beside it: a reader
 * never sees half of it, a failed or interrupted run leaves the old one
 * and no temporary file.  A symlink is followed (its target is replaced,
 * the link stays).  A device or a FIFO (/dev/null, /dev/full, a pipe to
 * another program) is written through, never replaced.  "-" is the
 * standard output. */
struct tool_out {
	const char *cmd;       /* "scorer report", for messages */
	const char *name;      /* the path as given, or "standard output" */
	FILE *fp;              /* write here (the struct must not move) */
	int fd;                /* what fp writes to */
	int err;               /* errno of the first write that failed */
	char target[4096];     /* the path, its symlinks followed */
	char named[4200];      /* the temporary file's name, if it has one */
	int replace;           /* the target is replaced at the end */
};

/* Open the output path (message printed on failure, naming it): 0 or -1.
 * Fails before any work when the place cannot be written. */
int tool_out_open(struct tool_out *o, const char *cmd, const char *path);
/* Finish: with ok, check every write, flush, close and put the file in
 * place; else (or on any failure) leave the target as it was.  A failure
 * is printed with the path and the reason.  0 or -1. */
int tool_out_close(struct tool_out *o, int ok);

/* The files one command reads or writes, by role ("--input", "OUT"): a
 * path, or NULL / "-" for the standard input (std_fd 0) or output (1). */
struct tool_role {
	const char *role;
	const char *path;
	int std_fd;
};

/* Refuse (message printed, -1) when two roles name the same regular file
 * (same device and inode: also through links), before anything is
 * opened for writing.  0 when all differ. */
int tool_distinct(const char *cmd, const struct tool_role *r, size_t n);

/* An exclusive lock on the open file fd (a regular file), held until the
 * process exits or closes it.  When another process holds one, say who
 * (its process id) and return -1. */
int tool_lock(int fd, const char *cmd, const char *path);

/* After a command: stdout flushed and checked.  A write that failed
 * (a full disk, /dev/full, a closed pipe) is printed and turns rc into
 * the error status. */
int tool_stdout_done(int rc);

/* Does fp hold a regular file, a directory ...?  For messages: "" when it
 * is one that can be read as a stream, else why not ("is a directory"). */
const char *tool_not_readable(FILE *fp);

#endif
