# shellcheck shell=bash source=../vm-lib.sh disable=SC2034
# A guest that only proves the VM boots (vm-run.sh probes KVM with it).
exit 0
