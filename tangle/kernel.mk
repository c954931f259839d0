# Tangled from chapters/90-harness.nw by 'make tangle'. Edit the chapter, not this file.
SRC ?= build/src
OUT ?= build/kernel

CC      := clang
LD      := ld.lld
OBJCOPY := objcopy

CFLAGS := --target=x86_64-unknown-none-elf -std=gnu11 -O2 -g \
	-ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mno-mmx -mno-sse -mno-sse2 -mno-avx -mno-80387 \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -mstack-alignment=8 \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -fno-common -fno-delete-null-pointer-checks \
	-Wall -Wextra -Werror -I$(SRC)/include -MMD -MP
ASFLAGS := --target=x86_64-unknown-none-elf -g -I$(SRC)/include -MMD -MP

CSRCS := $(sort $(wildcard $(SRC)/kernel/*.c $(SRC)/lib/*.c $(SRC)/tests/*.c))
SSRCS := $(sort $(wildcard $(SRC)/kernel/*.S $(SRC)/user/*.S $(SRC)/tests/*.S))
OBJS  := $(CSRCS:$(SRC)/%.c=$(OUT)/%.o) $(SSRCS:$(SRC)/%.S=$(OUT)/%.o)

all: $(OUT)/kernel.elf $(OUT)/kernel.elf32

$(OUT)/%.o: $(SRC)/%.c
	@mkdir -p $(@D)
	$(call run,CC,$(CC) $(CFLAGS) -c $< -o $@)

$(OUT)/%.o: $(SRC)/%.S
	@mkdir -p $(@D)
	$(call run,AS,$(CC) $(ASFLAGS) -c $< -o $@)

ifeq ($(V),1)
run = $(2)
else
run = @echo "  $(1)	$(patsubst $(SRC)/%,%,$(if $(filter CC AS,$(1)),$<,$@))"; $(2)
endif

KALLSYMS = nm -n $(1) | awk -f $(SRC)/tools/kallsyms.awk > $(2)
LINK = $(LD) -T $(SRC)/kernel.ld -nostdlib -static -z max-page-size=4096

$(OUT)/kernel.elf: $(OBJS) $(SRC)/kernel.ld $(SRC)/tools/kallsyms.awk
	@awk -f $(SRC)/tools/kallsyms.awk /dev/null > $(OUT)/kallsyms0.S
	@$(CC) $(ASFLAGS) -c $(OUT)/kallsyms0.S -o $(OUT)/kallsyms0.o
	$(call run,LD,$(LINK) -o $(OUT)/kernel.pass1.elf $(OBJS) $(OUT)/kallsyms0.o)
	@$(call KALLSYMS,$(OUT)/kernel.pass1.elf,$(OUT)/kallsyms1.S)
	@$(CC) $(ASFLAGS) -c $(OUT)/kallsyms1.S -o $(OUT)/kallsyms1.o
	$(call run,LD,$(LINK) -o $@ $(OBJS) $(OUT)/kallsyms1.o)
	@$(call KALLSYMS,$@,$(OUT)/kallsyms2.S)
	@cmp -s $(OUT)/kallsyms1.S $(OUT)/kallsyms2.S || \
		{ echo "kallsyms: text symbols moved between links" >&2; exit 1; }

$(OUT)/kernel.elf32: $(OUT)/kernel.elf
	$(call run,OBJCOPY,vma=$$(nm $< | awk '$$3 == "KERNEL_VMA" { print $$1 }') && \
		$(OBJCOPY) -O elf32-i386 --change-section-vma "*-0x$$vma" $< $@)

ISO_TOOL = grub-mkrescue
define make-iso
	@rm -rf $@.root && mkdir -p $@.root/boot/grub
	@cp $(OUT)/kernel.elf32 $@.root/boot/litkernel.elf
	@cp $(SRC)/tools/grub.cfg $@.root/boot/grub/grub.cfg
	@$(if $(1),printf '%s\n' $(1) > $@.root/boot/grub/ktest.cfg)
	@$(if $(2),for i in $$(seq 0 71); do a=$$((0x2000000 + i * 0x10000)); \
		printf 'cutmem 0x%x 0x%x\n' $$a $$((a + 0x1000)); \
		done >> $@.root/boot/grub/ktest.cfg)
	$(call run,ISO,$(ISO_TOOL) -o $@ $@.root > $@.log 2>&1 || \
		{ cat $@.log >&2; exit 1; })
endef

$(OUT)/litkernel.iso: $(OUT)/kernel.elf32 $(SRC)/tools/grub.cfg
	$(call make-iso)

$(OUT)/litkernel-test.iso: $(OUT)/kernel.elf32 $(SRC)/tools/grub.cfg
	$(call make-iso,'set timeout=0' 'set default=1')

$(OUT)/litkernel-cutmem.iso: $(OUT)/kernel.elf32 $(SRC)/tools/grub.cfg
	$(call make-iso,'set timeout=0' 'set default=1' \
		'set ktest_args=ktest-mmap-min=70',cut)

iso: $(OUT)/litkernel.iso
test-isos: $(OUT)/litkernel-test.iso $(OUT)/litkernel-cutmem.iso

HOSTCFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-iquote $(SRC)/include -Dsnprintf=ksnprintf -Dvsnprintf=kvsnprintf

$(OUT)/host/format-test: $(SRC)/host/format-test.c $(SRC)/lib/format.c
	@mkdir -p $(@D)
	$(call run,HOSTCC,$(CC) $(HOSTCFLAGS) $^ -o $@)

host-tests: $(OUT)/host/format-test

.PHONY: all host-tests iso test-isos
-include $(OBJS:.o=.d)
