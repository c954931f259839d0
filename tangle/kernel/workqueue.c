/* Tangled from chapters/25-workqueue.nw chapters/28-timers.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "workqueue.h"
#include "kallsyms.h"

#define MAX_WORKERS 16                  /* per pool */

struct worker_pool {
	spinlock_t lock;
	unsigned cpu;
	struct list_head worklist;      /* queued items */
	struct list_head idle;          /* idle workers */
	struct list_head workers;       /* all its workers */
	unsigned nr_workers, nr_running, nr_idle, nr_starting;
	unsigned long items_run, workers_lost;
};

struct worker {
	struct list_head idle_entry, all_entry;
	struct task *task;
	struct worker_pool *pool;
	struct work_struct *current_work;       /* under the pool's lock */
	struct workqueue_struct *current_wq;    /* its queue, and */
	work_func_t current_func;               /* its function */
};

static DEFINE_PER_CPU(struct worker_pool, worker_pools);
static DEFINE_WAIT_QUEUE_HEAD(flush_wait);    /* items finished */
struct workqueue_struct *system_wq;

static void maybe_create_worker(struct worker_pool *pool);

static int worker_thread(void *data)
{
	struct worker *w = data;
	struct worker_pool *pool = w->pool;

	current->flags |= PF_WQ_WORKER;
	current->wq_worker = w;
	spin_lock_irq(&pool->lock);
	pool->nr_starting--;
	for (;;) {
		while (!list_empty(&pool->worklist)) {
			struct work_struct *work = list_first_entry(&pool->worklist,
								    struct work_struct, entry);
			struct workqueue_struct *wq = work->wq;
			work_func_t func = work->func;
			list_del_init(&work->entry);
			w->current_work = work;
			w->current_wq = wq;
			w->current_func = func;
			__atomic_fetch_and(&work->pending, ~1UL, __ATOMIC_RELEASE);
			spin_unlock_irq(&pool->lock);
			maybe_create_worker(pool);
			trace(TRACE_WORK_START, 0, func, 0);
			func(work);
			trace(TRACE_WORK_END, 0, func, 0);
			if (unlikely(preempt_count())) {
				printk("BUG: work item %p of %s returned with preempt_count 0x%08x\n",
				       (void *)func, wq->name, preempt_count());
				sched_bug_trace();
				this_cpu_write(preempt_count, this_cpu_read(preempt_count) & PREEMPT_NEED_RESCHED);
			}
			spin_lock_irq(&pool->lock);
			w->current_work = NULL;
			pool->items_run++;
			atomic_dec(&wq->in_flight);
			wake_up_all(&flush_wait);
		}
		list_add(&w->idle_entry, &pool->idle);
		pool->nr_idle++;
		pool->nr_running--;
		current->wq_idle = true;
		set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock_irq(&pool->lock);
		schedule();
		current->wq_idle = false;
		spin_lock_irq(&pool->lock);
	}
	return 0;
}

static bool wake_idle_worker(struct worker_pool *pool)
{
	if (list_empty(&pool->idle))
		return false;
	struct worker *w = list_first_entry(&pool->idle, struct worker, idle_entry);
	list_del_init(&w->idle_entry);
	pool->nr_idle--;
	pool->nr_running++;
	wake_up_process(w->task);
	return true;
}

static struct worker *create_worker(struct worker_pool *pool, unsigned id)
{
	struct worker *w = kzalloc(sizeof(*w));
	char name[16];

	if (!w)
		return NULL;
	snprintf(name, sizeof(name), "kworker/%u:%u", pool->cpu, id);
	w->pool = pool;
	INIT_LIST_HEAD(&w->idle_entry);
	w->task = kthread_create(worker_thread, w, name);
	if (!w->task) {
		kfree(w);
		return NULL;
	}
	kthread_bind(w->task, pool->cpu);
	return w;
}

static void maybe_create_worker(struct worker_pool *pool)
{
	u64 f = spin_lock_irqsave(&pool->lock);
	bool want = !pool->nr_idle && !pool->nr_starting && pool->nr_workers < MAX_WORKERS;
	unsigned id = pool->nr_workers;

	if (want) {
		pool->nr_workers++;             /* claimed before it exists */
		pool->nr_starting++;
	}
	spin_unlock_irqrestore(&pool->lock, f);
	if (!want)
		return;
	struct worker *w = create_worker(pool, id);
	f = spin_lock_irqsave(&pool->lock);
	if (!w) {
		pool->nr_workers--;
		pool->nr_starting--;
	} else {
		list_add(&w->all_entry, &pool->workers);
		pool->nr_running++;             /* it runs, then goes idle */
	}
	spin_unlock_irqrestore(&pool->lock, f);
	if (w)
		wake_up_new_task(w->task);
}

void wq_worker_sleeping(struct task *t)
{
	struct worker_pool *pool = ((struct worker *)t->wq_worker)->pool;
	u64 f = spin_lock_irqsave(&pool->lock);

	if (pool->nr_running && --pool->nr_running == 0 && !list_empty(&pool->worklist))
		wake_idle_worker(pool);
	spin_unlock_irqrestore(&pool->lock, f);
}

void wq_worker_running(struct task *t)
{
	struct worker_pool *pool = ((struct worker *)t->wq_worker)->pool;
	u64 f = spin_lock_irqsave(&pool->lock);

	pool->nr_running++;
	spin_unlock_irqrestore(&pool->lock, f);
}

bool __queue_work(unsigned cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	atomic_inc(&wq->in_flight);
	smp_mb();
	if (READ_ONCE(wq->dying)) {
		printk("workqueue %s: queueing on a destroyed queue; refused\n", wq->name);
		__atomic_fetch_and(&work->pending, ~1UL, __ATOMIC_RELEASE);
		atomic_dec(&wq->in_flight);
		wake_up_all(&flush_wait);
		return false;
	}
	if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		printk("workqueue %s: CPU %u is offline; queued on CPU %u\n",
		       wq->name, cpu, smp_processor_id());
		cpu = smp_processor_id();
	}
	struct worker_pool *pool = per_cpu_ptr(&worker_pools, cpu);
	u64 f = spin_lock_irqsave(&pool->lock);
	WRITE_ONCE(work->pool, pool);
	work->wq = wq;
	list_add_tail(&work->entry, &pool->worklist);
	if (!pool->nr_running)
		wake_idle_worker(pool);
	spin_unlock_irqrestore(&pool->lock, f);
	return true;
}

bool queue_work_on(unsigned cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	if (__atomic_fetch_or(&work->pending, 1UL, __ATOMIC_ACQ_REL) & 1)
		return false;
	return __queue_work(cpu, wq, work);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	unsigned cpu = get_cpu();
	bool queued = queue_work_on(cpu, wq, work);

	put_cpu();
	return queued;
}

bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

bool schedule_work_on(unsigned cpu, struct work_struct *work)
{
	return queue_work_on(cpu, system_wq, work);
}

static bool work_running(struct work_struct *work)
{
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct worker_pool *pool = per_cpu_ptr(&worker_pools, cpu);
		struct worker *w;
		bool found = false;
		if (!cpu_online(cpu))
			continue;
		u64 f = spin_lock_irqsave(&pool->lock);
		list_for_each_entry(w, &pool->workers, all_entry)
			found |= w->current_work == work;
		spin_unlock_irqrestore(&pool->lock, f);
		if (found)
			return true;
	}
	return false;
}

static bool work_busy(struct work_struct *work)
{
	return (__atomic_load_n(&work->pending, __ATOMIC_ACQUIRE) & 1) || work_running(work);
}

void flush_work(struct work_struct *work)
{
	might_sleep();
	wait_event(flush_wait, !work_busy(work));
}

void flush_workqueue(struct workqueue_struct *wq)
{
	might_sleep();
	wait_event(flush_wait, atomic_read(&wq->in_flight) == 0);
}

bool cancel_work(struct work_struct *work)
{
	for (;;) {
		struct worker_pool *pool = READ_ONCE(work->pool);
		bool pending = __atomic_load_n(&work->pending, __ATOMIC_ACQUIRE) & 1;
		if (!pool) {
			if (!pending)
				return false;
			pause();
			continue;
		}
		u64 f = spin_lock_irqsave(&pool->lock);
		if (READ_ONCE(work->pool) != pool) {
			spin_unlock_irqrestore(&pool->lock, f);
			continue;
		}
		if (!list_empty(&work->entry)) {
			list_del_init(&work->entry);
			atomic_dec(&work->wq->in_flight);
			__atomic_fetch_and(&work->pending, ~1UL, __ATOMIC_RELEASE);
			spin_unlock_irqrestore(&pool->lock, f);
			wake_up_all(&flush_wait);
			return true;
		}
		pending = __atomic_load_n(&work->pending, __ATOMIC_ACQUIRE) & 1;
		spin_unlock_irqrestore(&pool->lock, f);
		if (!pending)
			return false;
		pause();                                /* being queued: wait for it */
	}
}

bool cancel_work_sync(struct work_struct *work)
{
	might_sleep();
	bool cancelled = cancel_work(work);
	wait_event(flush_wait, !work_running(work));
	return cancelled;
}

struct workqueue_struct *alloc_workqueue(const char *name)
{
	struct workqueue_struct *wq = kzalloc(sizeof(*wq));

	if (wq)
		wq->name = name;
	return wq;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	if (wq->destroyed || wq->dying) {
		printk("workqueue %s: destroyed twice; ignored\n", wq->name);
		return;
	}
	WRITE_ONCE(wq->dying, true);
	flush_workqueue(wq);
	wq->destroyed = true;
}

void workqueue_init(void)
{
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct worker_pool *pool = per_cpu_ptr(&worker_pools, cpu);
		spin_lock_init(&pool->lock);
		pool->cpu = cpu;
		INIT_LIST_HEAD(&pool->worklist);
		INIT_LIST_HEAD(&pool->idle);
		INIT_LIST_HEAD(&pool->workers);
		if (!cpu_online(cpu))
			continue;
		struct worker *w = create_worker(pool, 0);
		if (!w)
			panic("workqueue: no memory for CPU %u's first worker", cpu);
		list_add(&w->all_entry, &pool->workers);
		pool->nr_workers = pool->nr_running = pool->nr_starting = 1;
		wake_up_new_task(w->task);
	}
	system_wq = alloc_workqueue("events");
}

void wq_worker_describe(struct task *t)
{
	struct worker *w = t->wq_worker;

	if (w && w->current_work) {
		printk("Workqueue: %s ", w->current_wq->name);
		print_symbol("", (unsigned long)w->current_func);
	}
}

void wq_worker_dying(struct task *t)
{
	struct worker *w = t->wq_worker;
	struct worker_pool *pool = w->pool;
	u64 f = spin_lock_irqsave(&pool->lock);

	list_del_init(&w->all_entry);
	pool->nr_workers--;
	pool->nr_running--;
	pool->workers_lost++;
	if (w->current_work)
		atomic_dec(&w->current_wq->in_flight);
	w->current_work = NULL;
	if (!pool->nr_running && !list_empty(&pool->worklist))
		wake_idle_worker(pool);
	spin_unlock_irqrestore(&pool->lock, f);
	t->flags &= ~PF_WQ_WORKER;
	t->wq_worker = NULL;
	wake_up_all(&flush_wait);
	maybe_create_worker(pool);
	kfree(w);
}

void show_workqueues(void)
{
	printk("pool  workers running idle queued   items-run  lost\n");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct worker_pool *pool = per_cpu_ptr(&worker_pools, cpu);
		if (!cpu_online(cpu))
			continue;
		u64 f = spin_lock_irqsave(&pool->lock);
		unsigned queued = 0;
		struct work_struct *work;
		list_for_each_entry(work, &pool->worklist, entry)
			queued++;
		printk("%4u %8u %7u %4u %6u %11lu %5lu\n", cpu, pool->nr_workers,
		       pool->nr_running, pool->nr_idle, queued, pool->items_run,
		       pool->workers_lost);
		spin_unlock_irqrestore(&pool->lock, f);
	}
}

void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dw = from_timer(dw, t, timer);

	__queue_work(dw->cpu, dw->wq, &dw->work);
}

bool queue_delayed_work_on(unsigned cpu, struct workqueue_struct *wq,
			   struct delayed_work *dw, unsigned long delay)
{
	if (!delay)
		return queue_work_on(cpu, wq, &dw->work);
	if (__atomic_fetch_or(&dw->work.pending, 1UL, __ATOMIC_ACQ_REL) & 1)
		return false;
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		cpu = smp_processor_id();
	dw->wq = wq, dw->cpu = cpu;
	dw->timer.flags |= TIMER_PINNED;
	dw->timer.expires = jiffies + delay;
	add_timer_on(&dw->timer, cpu);
	return true;
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay)
{
	return queue_delayed_work_on(smp_processor_id(), wq, dw, delay);
}

bool schedule_delayed_work(struct delayed_work *dw, unsigned long delay)
{
	return queue_delayed_work(system_wq, dw, delay);
}

bool cancel_delayed_work(struct delayed_work *dw)
{
	if (del_timer(&dw->timer)) {
		__atomic_fetch_and(&dw->work.pending, ~1UL, __ATOMIC_RELEASE);
		return true;
	}
	return cancel_work(&dw->work);
}

bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	if (del_timer_sync(&dw->timer)) {
		__atomic_fetch_and(&dw->work.pending, ~1UL, __ATOMIC_RELEASE);
		return true;
	}
	return cancel_work_sync(&dw->work);
}
