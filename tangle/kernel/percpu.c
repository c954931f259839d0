/* Tangled from chapters/04-percpu.nw by 'make tangle'. Edit the chapter, not this file. */
#include "percpu.h"
#include "mm.h"

unsigned long __per_cpu_offset[NR_CPUS];
unsigned nr_cpu_ids = 1;
DEFINE_PER_CPU(unsigned long, this_cpu_off);
DEFINE_PER_CPU(unsigned int, cpu_number);
DEFINE_PER_CPU(unsigned int, preempt_count) = PREEMPT_NEED_RESCHED;

void percpu_early_init(void)
{
	wrmsr(MSR_GS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void setup_per_cpu_areas(unsigned nr_cpus)
{
	size_t size = __per_cpu_end - __per_cpu_start;
	size_t frames = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;

	nr_cpu_ids = MIN(MAX(nr_cpus, 1U), (unsigned)NR_CPUS);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		u64 pa = frames_alloc(frames);
		if (!pa)
			panic("percpu: no memory for CPU %u's area", cpu);
		char *area = phys_to_virt(pa);
		memcpy(area, __per_cpu_start, size);
		__per_cpu_offset[cpu] = (unsigned long)(area - __per_cpu_start);
		per_cpu(this_cpu_off, cpu) = __per_cpu_offset[cpu];
		per_cpu(cpu_number, cpu) = cpu;
	}
	wrmsr(MSR_GS_BASE, __per_cpu_offset[0]);
	printk("percpu: %zu bytes per CPU, %u areas\n", size, nr_cpu_ids);
}
