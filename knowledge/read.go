package knowledge

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"
)

// Limits on what is read from a knowledge folder. Whatever a folder holds, reading it costs at
// most this much memory, so a mistake in a team's folder cannot take down a bot that runs in a
// small container.
const (
	// MaxFileSize is the largest entry file read: an answer of many pages fits in it.
	MaxFileSize = 256 << 10
	// MaxFolderSize is the most bytes read from the entry files of one folder.
	MaxFolderSize = 16 << 20
	// MaxEntries is the most entry files one folder may hold.
	MaxEntries = 10_000
)

// Folder is a knowledge folder on disk, opened so that reading it can neither leave it nor
// block: symlinks are followed only while they stay inside the folder (as a Kubernetes
// ConfigMap volume's links through ..data do), and files are opened without waiting for a
// writer, so a named pipe is reported rather than read. It is an fs.FS for Load and Check.
type Folder struct {
	root *os.Root
}

// OpenDir opens the knowledge folder dir. Close it when done.
func OpenDir(dir string) (*Folder, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open knowledge folder: %w", err)
	}
	return &Folder{root: root}, nil
}

// Close releases the folder.
func (f *Folder) Close() error {
	return f.root.Close()
}

// Open opens name read-only and non-blocking: opening a named pipe must not wait for a writer.
func (f *Folder) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return f.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// Stat describes name, following symlinks that stay inside the folder; it never opens the file.
func (f *Folder) Stat(name string) (fs.FileInfo, error) {
	return f.root.Stat(name)
}

// Lstat describes name itself, not what a symlink leads to.
func (f *Folder) Lstat(name string) (fs.FileInfo, error) {
	return f.root.Lstat(name)
}

// ReadLink is where the symlink name points.
func (f *Folder) ReadLink(name string) (string, error) {
	return f.root.Readlink(name)
}

var _ interface {
	fs.StatFS
	fs.ReadLinkFS
} = (*Folder)(nil)

// entryFile is the content of one entry file.
type entryFile struct {
	name string
	data []byte
}

// readEntryFiles reads the visible *.md files at the top of fsys in name order, within the
// limits above. A file that cannot be read is a Problem and the others are still read, so that
// one lint run reports everything; only an unreadable folder is an error.
func readEntryFiles(fsys fs.FS) ([]entryFile, Problems, error) {
	names, err := entryNames(fsys)
	if err != nil {
		return nil, nil, err
	}
	if len(names) > MaxEntries {
		return nil, Problems{{Msg: fmt.Sprintf("more than %d entry files: a knowledge folder may hold at most %d", MaxEntries, MaxEntries)}}, nil
	}
	var files []entryFile
	var problems Problems
	budget := int64(MaxFolderSize)
	for _, name := range names {
		data, err := readEntryFile(fsys, name, budget)
		if errors.Is(err, errFolderFull) {
			problems = append(problems, Problem{File: name, Msg: fmt.Sprintf("the folder's entry files pass %s, the most read from one folder: this file and the ones after it are not read", sizeText(MaxFolderSize))})
			break
		}
		if err != nil {
			problems = append(problems, Problem{File: name, Msg: err.Error()})
			continue
		}
		budget -= int64(len(data))
		files = append(files, entryFile{name: name, data: data})
	}
	return files, problems, nil
}

// isEntryName tells entry files from the rest. Names starting with "." are skipped: in a
// Kubernetes ConfigMap volume they are the kubelet's timestamped folders and the ..data link,
// while the visible files are symlinks through ..data.
func isEntryName(name string) bool {
	return !strings.HasPrefix(name, ".") && path.Ext(name) == ".md"
}

// entryNames lists the entry files of fsys, sorted. The folder is read in batches and only
// entry names are kept, at most one past MaxEntries, so a folder of millions of files costs
// time but no memory.
func entryNames(fsys fs.FS) ([]string, error) {
	dir, err := fsys.Open(".")
	if err != nil {
		return nil, fmt.Errorf("read knowledge folder: %w", err)
	}
	defer dir.Close()
	lister, ok := dir.(fs.ReadDirFile)
	if !ok {
		return nil, errors.New("read knowledge folder: not a folder")
	}
	var names []string
	for len(names) <= MaxEntries {
		batch, err := lister.ReadDir(256)
		for _, d := range batch {
			if isEntryName(d.Name()) {
				names = append(names, d.Name())
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read knowledge folder: %w", err)
		}
	}
	sort.Strings(names)
	return names, nil
}

// errFolderFull says a file would take the folder past MaxFolderSize.
var errFolderFull = errors.New("knowledge folder too large")

// readEntryFile reads one entry file of at most MaxFileSize and budget bytes. Its type is
// checked before it is opened, so a named pipe or device is never read, and again once open,
// in case it was replaced in between.
func readEntryFile(fsys fs.FS, name string, budget int64) ([]byte, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, unreachable(fsys, name, err)
	}
	if err := checkRegular(info, budget); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := checkRegular(info, budget); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1)) // the file may grow while read
	if err != nil {
		return nil, err
	}
	return data, checkSize(int64(len(data)), budget)
}

// checkRegular accepts a regular file within the size limits.
func checkRegular(info fs.FileInfo, budget int64) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s, not a regular file: only regular files, or symlinks to them inside the folder, are read", fileKind(info.Mode()))
	}
	return checkSize(info.Size(), budget)
}

func checkSize(size, budget int64) error {
	if size > MaxFileSize {
		return fmt.Errorf("file is larger than %s, the most an entry file may hold: split it", sizeText(MaxFileSize))
	}
	if size > budget {
		return errFolderFull
	}
	return nil
}

// unreachable explains why Stat failed, naming where a symlink leads: a symlink out of the
// folder (to /dev/zero, another folder) is refused by design.
func unreachable(fsys fs.FS, name string, err error) error {
	if info, lerr := fs.Lstat(fsys, name); lerr != nil || info.Mode()&fs.ModeSymlink == 0 {
		return err
	}
	target, lerr := fs.ReadLink(fsys, name)
	if lerr != nil {
		return err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("symlink to %q leads to nothing: the file does not exist", target)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("symlink to %q: permission denied", target)
	case errors.Is(err, syscall.ELOOP):
		return fmt.Errorf("symlink to %q loops", target)
	}
	return fmt.Errorf("symlink to %q leads outside the knowledge folder: only files inside it are read", target)
}

// fileKind names the sort of file mode describes, for a writer who made one by mistake.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a folder"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return "a special file"
}

// sizeText prints a limit as people write it: 256 KiB, 16 MiB.
func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
