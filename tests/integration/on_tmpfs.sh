#!/bin/sh
# Runs a command on a small filesystem of its own, so a test can fill its disk:
#   unshare --user --map-root-user --mount sh on_tmpfs.sh SIZE DIR COPY_TO COMMAND...
# mounts a tmpfs of SIZE at DIR (seen only in this mount namespace, gone with it), runs
# COMMAND, passes SIGTERM and SIGINT on to it, and when it has exited copies what DIR holds to
# COPY_TO (outside the tmpfs), so the test can open the data again after the namespace is gone.
# Exits with the command's status.
set -eu
size=$1 dir=$2 copy_to=$3
shift 3
mount -t tmpfs -o "size=$size" tmpfs "$dir"
"$@" &
child=$!
trap 'kill -TERM "$child"' TERM INT
status=0
wait "$child" || status=$?
# A trapped signal ends the first wait early (status > 128): wait for the command itself.
if kill -0 "$child" 2>/dev/null; then
  status=0
  wait "$child" || status=$?
fi
mkdir -p "$copy_to"
cp -a "$dir/." "$copy_to/"
exit "$status"
