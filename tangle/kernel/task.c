/* Tangled from chapters/13-syscalls.nw chapters/15-page-faults.nw chapters/22-sched.nw chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "task.h"
#include "traps.h"
#include "desc.h"
#include "sched.h"

DEFINE_PER_CPU(struct task *, current_task);

static bool map_user_range(pte_t *pml4, u64 va, const u8 *src, size_t len,
			   u64 flags)
{
	for (size_t off = 0; off < ALIGN_UP(len, PAGE_SIZE); off += PAGE_SIZE) {
		u64 pa = page_alloc_zeroed();
		if (!pa || map_page(pml4, va + off, pa, flags | PTE_U))
			return false;
		if (src)
			memcpy(phys_to_virt(pa), src + off, MIN(len - off, PAGE_SIZE));
	}
	return true;
}

extern const struct user_program __user_programs_start[], __user_programs_end[];

static const struct user_program *find_program(const char *name)
{
	for (const struct user_program *p = __user_programs_start;
	     p < __user_programs_end; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

struct task *task_create(const char *name)
{
	const struct user_program *prog = find_program(name);
	struct task *task = prog ? task_alloc(prog->name) : NULL;

	if (!prog || !task)
		panic("task_create: no program '%s' or no memory", name);
	task->pml4 = pml4_alloc();
	if (!task->pml4 ||
	    !map_user_range(task->pml4, USER_TEXT, prog->start,
			    prog->end - prog->start, 0))
		panic("task_create: out of memory");
	task->regions[0] = (struct vm_region){ USER_TEXT, USER_TEXT +
		ALIGN_UP(prog->end - prog->start, PAGE_SIZE), VM_EXEC };
	task->regions[1] = (struct vm_region){ USER_RODATA, USER_RODATA + PAGE_SIZE, 0 };
	task->regions[2] = (struct vm_region){ USER_DATA, USER_DATA + USER_DATA_SIZE,
		VM_WRITE };
	task->regions[3] = (struct vm_region){ USER_STACK_TOP - USER_STACK_SIZE,
		USER_STACK_TOP, VM_WRITE };
	task->nr_regions = 4;
	if (!vdso_map(task->pml4))
		panic("task_create: out of memory");
	return task;
}

struct task *run_user_program_arg(const char *name, unsigned long arg)
{
	struct task *task = task_create(name);

	struct cpumask here;

	cpumask_of(&here, smp_processor_id());
	user_task_start(task, arg, &here);
	wait_task(task);
	return task;
}

struct task *run_user_program(const char *name)
{
	return run_user_program_arg(name, 0);
}

static u16 safe_selector(u16 sel)
{
	return sel == USER_DS ? sel : 0;
}

void load_user_segments(const struct task *t)
{
	asm volatile("movl %0, %%ds\n\t"
		     "movl %1, %%es\n\t"
		     "movl %2, %%fs\n\t"
		     "swapgs\n\t"
		     "movl %3, %%gs\n\t"
		     "swapgs"
		     :: "r"((u32)safe_selector(t->ds)), "r"((u32)safe_selector(t->es)),
			"r"((u32)safe_selector(t->fs)), "r"((u32)safe_selector(t->gs))
		     : "memory");
	wrmsr(MSR_FS_BASE, t->fs_base);
	wrmsr(MSR_KERNEL_GS_BASE, t->gs_base);
}

void task_exit(long code)
{
	do_exit(code);
}

void user_exception(struct pt_regs *regs, unsigned long error_code, int vector)
{
	struct task *t = this_cpu_read(current_task);

	t->killed = true;
	t->vector = vector;
	t->error_code = error_code;
	t->fault_ip = regs->ip;
	t->fault_syscall = regs->orig_ax;
	if (vector != X86_TRAP_PF)
		t->fault_addr = 0;              /* do_page_fault set it from CR2 */
	printk("%s[%d]: killed by %s at ip %#lx sp %#lx error %#lx",
	       t->name, t->pid, exception_name(vector), regs->ip, regs->sp,
	       vector < 32 && error_code != -1UL ? error_code : 0);
	if (vector == X86_TRAP_PF)
		printk(" address %#lx", t->fault_addr);
	if (t->fault_syscall != -1)
		printk(" in system call %ld", t->fault_syscall);
	printk("\n");
	do_exit(t->exit_code);
}

const char *current_task_name(void)
{
	struct task *t = this_cpu_read(current_task);

	return t ? t->name : "kernel";
}

static void free_table(pte_t *table, int level)
{
	for (int i = 0; i < 512; i++) {
		if (!(table[i] & PTE_P))
			continue;
		if (level > 1)
			free_table(phys_to_virt(table[i] & PTE_ADDR_MASK), level - 1);
		else if (!(table[i] & PTE_NOFREE))
			frame_free(table[i] & PTE_ADDR_MASK);
	}
	frame_free(virt_to_phys(table));
}

void free_user_space(pte_t *pml4)
{
	for (int i = 0; i < 256; i++)
		if (pml4[i] & PTE_P)
			free_table(phys_to_virt(pml4[i] & PTE_ADDR_MASK), 3);
	frame_free(virt_to_phys(pml4));
}

void task_free(struct task *task)
{
	put_task(task);
}
