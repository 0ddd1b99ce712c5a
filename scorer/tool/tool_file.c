/*
 * The files of the scorer command (tool_file.h, docs/files.md): outputs
 * that are never replaced by what is not ours to replace (a device, a
 * FIFO, the file a symlink names) nor left half-written, two names for
 * one file refused before anything is written, locks that say who holds
 * them, and no write whose failure goes unsaid.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"
#include "tool_file.h"

/* ---- a temporary file with a name, removed on SIGINT and SIGTERM ------ */

/* Only where O_TMPFILE is missing (an old kernel, some network file
 * systems) has a temporary output a name; a signal must not leave it. */
static char pending[4200];

static void
on_signal(int sig)
{
	if (pending[0] != '\0')
		(void)unlink(pending);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
hold_pending(const char *name)
{
	struct sigaction old;
	int sigs[2] = { SIGINT, SIGTERM }, i;

	snprintf(pending, sizeof(pending), "%s", name);
	for (i = 0; i < 2; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL)
			signal(sigs[i], on_signal);
}

/* ---- paths -------------------------------------------------------------- */

/* dir_of() and follow_links() have twins in scorer/corpus_build.c (the
 * library writes the corpus the same safe way); the tool sees only the
 * public API, so they are copied, not shared: a fix to one is a fix to
 * both. */

static void
dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* path with its symlinks followed to the file they name, which need not
 * exist yet: -1 with errno on a loop or a name too long. */
static int
follow_links(const char *path, char *out, size_t len)
{
	char link[4096], dir[4096];
	struct stat sb;
	ssize_t n;
	int hops;

	if ((size_t)snprintf(out, len, "%s", path) >= len)
		goto toolong;
	for (hops = 0; hops < 40; hops++) {
		if (lstat(out, &sb) != 0 || !S_ISLNK(sb.st_mode))
			return 0;
		if ((n = readlink(out, link, sizeof(link) - 1)) < 0)
			return -1;
		link[n] = '\0';
		/* /dev/stdout, /proc/self/fd/1: a link the kernel follows to
		 * what is not a path ("pipe:[1234]"): that is where to stop. */
		if (link[0] != '/' && strchr(link, ':') != NULL &&
		    stat(out, &sb) == 0)
			return 0;
		dir_of(out, dir, sizeof(dir));
		if (link[0] == '/' ? (size_t)snprintf(out, len, "%s", link) >= len
		                   : (size_t)snprintf(out, len, "%s/%s", dir,
		                                      link) >= len)
			goto toolong;
	}
	errno = ELOOP;
	return -1;
toolong:
	errno = ENAMETOOLONG;
	return -1;
}

/* ---- outputs written whole ------------------------------------------------ */

static int
out_fail(const struct tool_out *o, const char *why)
{
	fprintf(stderr, "%s: cannot write %s: %s\n", o->cmd, o->name, why);
	return -1;
}

/* The stream writes through this, so that the reason of the first write
 * that failed is kept: stdio keeps only that one did, and by the time
 * the stream is closed errno says nothing of it. */
static ssize_t
out_write(void *cookie, const char *buf, size_t n)
{
	struct tool_out *o = cookie;
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		w = write(o->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (o->err == 0)
				o->err = w < 0 ? errno : EIO;
			return done > 0 ? (ssize_t)done : -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

/* A stream on o->fd; -1 with errno when there is no memory for it. */
static int
out_stream(struct tool_out *o)
{
	static const cookie_io_functions_t io = { NULL, out_write, NULL,
	                                          NULL };

	o->fp = fopencookie(o, "w", io);
	return o->fp != NULL ? 0 : -1;
}

int
tool_out_open(struct tool_out *o, const char *cmd, const char *path)
{
	char dir[4096];
	struct stat sb;
	mode_t mask;
	int fd = -1;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->name = path;
	o->fd = -1;
	if (strcmp(path, "-") == 0) {
		o->name = "standard output";
		fflush(stdout); /* (nothing is in it: this stream comes after) */
		o->fd = STDOUT_FILENO;
		return out_stream(o) == 0 ? 0 : out_fail(o, strerror(errno));
	}
	if (follow_links(path, o->target, sizeof(o->target)) != 0)
		return out_fail(o, strerror(errno));
	if (stat(o->target, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return out_fail(o, "is a directory");
		if (!S_ISREG(sb.st_mode)) {
			/* A device or a FIFO: written through, as a shell's
			 * ">" would, never replaced by a regular file. */
			if ((o->fd = open(o->target, O_WRONLY | O_CLOEXEC)) < 0 ||
			    out_stream(o) != 0) {
				if (o->fd >= 0)
					close(o->fd);
				return out_fail(o, strerror(errno));
			}
			return 0;
		}
	} else if (errno != ENOENT) {
		return out_fail(o, strerror(errno));
	}
	o->replace = 1;
	dir_of(o->target, dir, sizeof(dir));
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL)
		return out_fail(o, strerror(errno));
#endif
	if (fd < 0) {
		snprintf(o->named, sizeof(o->named), "%s.XXXXXX", o->target);
		if ((fd = mkstemp(o->named)) < 0) {
			o->named[0] = '\0';
			return out_fail(o, strerror(errno));
		}
		hold_pending(o->named);
		/* mkstemp makes it 0600: as readable as any new file. */
		mask = umask(0);
		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	o->fd = fd;
	if (out_stream(o) != 0) {
		close(fd);
		if (o->named[0] != '\0')
			(void)unlink(o->named);
		pending[0] = '\0';
		return out_fail(o, strerror(errno));
	}
	return 0;
}

/* The complete file takes the target's place: renamed, or (unnamed)
 * linked in under the target's name when it is new, else under a fresh
 * name beside it and renamed over it. */
static int
put_in_place(struct tool_out *o)
{
	char proc[64], name[4300];
	int i, e;

	if (o->named[0] != '\0') {
		if (rename(o->named, o->target) != 0)
			return -1;
		o->named[0] = '\0';
		return 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, o->target, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	for (i = 0; errno == EEXIST && i < 100; i++) {
		snprintf(name, sizeof(name), "%s.%ld.%d", o->target,
		         (long)getpid(), i);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) != 0)
			continue;
		if (rename(name, o->target) == 0)
			return 0;
		e = errno;
		(void)unlink(name);
		errno = e;
		return -1;
	}
	return -1;
}

int
tool_out_close(struct tool_out *o, int ok)
{
	int failed = !ok, err = 0;

	if (o->fp == NULL)
		return -1;
	if (fflush(o->fp) != 0 || ferror(o->fp)) {
		failed = 1;
		err = o->err != 0 ? o->err : EIO;
	}
	/* On disk before it replaces the old file, not after a crash. */
	if (!failed && o->replace &&
	    (fsync(o->fd) != 0 || put_in_place(o) != 0)) {
		failed = 1;
		err = errno;
	}
	fclose(o->fp); /* (the stream only: its writes were checked) */
	if (o->fd != STDOUT_FILENO && close(o->fd) != 0 && !failed) {
		failed = 1;
		err = errno;
	}
	o->fp = NULL;
	o->fd = -1;
	if (o->named[0] != '\0' && o->replace)
		(void)unlink(o->named); /* not put in place */
	o->named[0] = '\0';
	pending[0] = '\0';
	if (failed && ok)
		out_fail(o, strerror(err));
	return failed ? -1 : 0;
}

/* ---- two names, one file ------------------------------------------------ */

static int
stat_role(const struct tool_role *r, struct stat *sb)
{
	if (r->path == NULL || strcmp(r->path, "-") == 0)
		return fstat(r->std_fd, sb);
	return stat(r->path, sb);
}

/* Where a file that is not there yet would be: its directory's real path
 * and its name, symlinks followed.  "" when that cannot be told. */
static void
would_be(const char *path, char *out, size_t len)
{
	char target[4096], dir[4096], *real;
	const char *base;

	out[0] = '\0';
	if (path == NULL || strcmp(path, "-") == 0 ||
	    follow_links(path, target, sizeof(target)) != 0)
		return;
	dir_of(target, dir, sizeof(dir));
	base = strrchr(target, '/') != NULL ? strrchr(target, '/') + 1
	                                    : target;
	if ((real = realpath(dir, NULL)) != NULL) {
		snprintf(out, len, "%s/%s", real, base);
		free(real);
	}
}

/* Do roles a and b name one file: the same regular file, or the same
 * place for a file that is not there yet? */
static int
same_file(const struct tool_role *a, const struct tool_role *b)
{
	struct stat sa, sb;
	char pa[8300], pb[8300];
	int ha = stat_role(a, &sa) == 0, hb = stat_role(b, &sb) == 0;

	if (ha && hb)
		return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev &&
		       sa.st_ino == sb.st_ino;
	if (ha || hb)
		return 0;
	would_be(a->path, pa, sizeof(pa));
	would_be(b->path, pb, sizeof(pb));
	return pa[0] != '\0' && strcmp(pa, pb) == 0;
}

int
tool_distinct(const char *cmd, const struct tool_role *r, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (!same_file(&r[i], &r[j]))
				continue;
			fprintf(stderr, "%s: %s and %s are the same file (%s): "
			        "one would destroy the other; nothing was "
			        "written\n", cmd, r[i].role, r[j].role,
			        r[i].path != NULL && strcmp(r[i].path, "-") != 0
			        ? r[i].path : r[j].path != NULL &&
			        strcmp(r[j].path, "-") != 0 ? r[j].path
			        : "standard input and output");
			return -1;
		}
	}
	return 0;
}

/* ---- locks ----------------------------------------------------------------- */

int
tool_lock(int fd, const char *cmd, const char *path)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	if (errno != EACCES && errno != EAGAIN) {
		/* A file system without locks: go on, unprotected. */
		fprintf(stderr, "%s: warning: cannot lock %s: %s\n", cmd, path,
		        strerror(errno));
		return 0;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		fprintf(stderr, "%s: %s is being written by process %ld (another "
		        "scorer batch?): not writing to it too\n", cmd, path,
		        (long)fl.l_pid);
	else
		fprintf(stderr, "%s: %s is locked by another process: not "
		        "writing to it too\n", cmd, path);
	return -1;
}

/* ---- standard output ------------------------------------------------------ */

int
tool_stdout_done(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	/* stdio forgets why a write that failed while the stream's buffer
	 * filled did: a write of nothing tells it for a full device or a
	 * closed descriptor. */
	if (errno == 0 && write(STDOUT_FILENO, "", 0) == 0)
		errno = 0; /* no reason to tell */
	fprintf(stderr, "scorer: cannot write to standard output: %s\n",
	        errno != 0 ? strerror(errno) : "write error");
	return TOOL_EXIT_ERROR;
}

const char *
tool_not_readable(FILE *fp)
{
	struct stat sb;

	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode))
		return "is a directory";
	return "";
}
