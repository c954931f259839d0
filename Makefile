# The only entry point. Every target first makes sure the tools are installed
# (ci/install-deps installs what is missing, or names the command to run).
#
#   make / make all   tangle, build the kernel, build the book
#   make tangle       chapters/ -> tangle/ (committed, readable)
#   make kernel       build/kernel/kernel.elf (+ .elf32 for QEMU -kernel)
#   make run          boot the kernel with its serial console on this terminal
#   make debug        boot stopped, with gdb attached and the symbols loaded
#   make test         host tests, pipeline tests, the boot matrix, the book
#   make check        chunk lint, tangle/ freshness, a warning-free build
#   make book         build/book.pdf and the HTML edition (make pdf, make html)
#   make bench        instruction counts under -icount (later chapters)
#   make soak         the long torture, fuzz and storm tests (minutes)
#   make iso          build/kernel/litkernel.iso: GRUB and the kernel, bootable
#   make clean        remove build/
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all
MAKEFLAGS += --no-print-directory

export QEMU ?= qemu-system-x86_64
export ACCEL ?= tcg
MACHINE ?= q35
SMP    ?= 2
CPU    ?= max
MEM    ?= 128M
APPEND ?=
KERNEL_MK = $(MAKE) -f build/src/kernel.mk SRC=build/src OUT=build/kernel

.PHONY: all deps tangle src kernel host-tests iso test-isos run debug test check book pdf html bench soak clean

all: tangle kernel book

deps:
	@ci/install-deps

tangle: deps
	@ci/tangle tangle

src: deps
	@ci/tangle --lines build/src

kernel: src
	@$(KERNEL_MK) all

host-tests: src
	@$(KERNEL_MK) host-tests

iso: kernel
	@$(KERNEL_MK) iso
	@echo "iso: build/kernel/litkernel.iso (the preface tells how to boot it)"

test-isos: kernel
	@$(KERNEL_MK) test-isos

QEMU_OPTS = --machine $(MACHINE) --smp $(SMP) --cpu $(CPU) --mem $(MEM) --append "$(APPEND)"

run: kernel
	@ci/qemu.py run $(QEMU_OPTS)

debug: kernel
	@ci/qemu.py debug $(QEMU_OPTS)

check: deps
	@ci/tangle --check tangle
	@ci/tangle --lines build/src
	@$(KERNEL_MK) all
	@echo "check: chapters lint clean, tangle/ up to date, kernel builds without warnings"

test: deps
	@ci/test.py

book: pdf html

pdf: kernel
	@ci/book

html: kernel
	@ci/html

soak: kernel
	@ci/soak

bench: kernel
	@ci/qemu.py bench

clean:
	rm -rf build
