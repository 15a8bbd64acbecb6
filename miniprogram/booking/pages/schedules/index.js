/**
 * Step 2: a date, then a session (doctor or general clinic), then a time slot with the places
 * left. Counts change as others book, so the page refreshes while it is on screen.
 * Query: hospital_id, department_id or department_code (from triage), department_name.
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const hospitals = require('../../../services/hospitals')
const errors = require('../../../services/errors')
const handoff = require('../../../utils/handoff')
const clock = require('../../../utils/clock')
const format = require('../../../utils/format')
const labels = require('../../../utils/labels')

const REFRESH_MS = 30000 // live remaining counts while the page is on screen
const SEARCH_DAYS = 14 // the backend answers at most 14 days per query

function slotView(slot) {
  return { ...slot, timeText: `${format.time(slot.starts_at)}-${format.time(slot.ends_at)}`, full: slot.remaining <= 0 }
}

function scheduleView(schedule) {
  const slots = schedule.slots.map(slotView)
  return {
    ...schedule,
    doctorText: schedule.doctor_name ? `${schedule.doctor_name}${schedule.doctor_title ? ` ${schedule.doctor_title}` : ''}` : '普通门诊',
    typeText: labels.REGISTRATION_TYPES[schedule.registration_type] || '',
    halfDayText: labels.HALF_DAYS[schedule.half_day] || '',
    feeText: format.yuan(schedule.fee_fen),
    remaining: slots.reduce((sum, s) => sum + Math.max(0, s.remaining), 0),
    slots,
  }
}

Component({
  behaviors: [pageBehavior],
  data: {
    loading: true, error: '', missingDepartment: false, departmentName: '', days: [], selectedDay: '', sessions: [],
  },
  pageLifetimes: {
    show() {
      if (this.ready) this.startRefresh()
    },
    hide() {
      this.stopRefresh()
    },
  },
  lifetimes: {
    detached() {
      this.stopRefresh()
    },
  },
  methods: {
    onLoad(query = {}) {
      this.hospitalId = query.hospital_id || (hospitals.chosen() || {}).id
      this.departmentId = query.department_id || ''
      this.departmentCode = query.department_code || ''
      this.setData({ departmentName: decodeURIComponent(query.department_name || '') })
      if (this.data.departmentName) platform.setTitle(this.data.departmentName)
      this.load()
    },
    async onPullDownRefresh() {
      await this.refresh()
      platform.stopPullDownRefresh()
    },
    async load() {
      this.setData({ loading: true, error: '', missingDepartment: false })
      try {
        if (!this.hospitalId) this.hospitalId = ((await hospitals.current()).hospital || {}).id
        if (!this.departmentId && this.departmentCode) {
          const list = await hospitals.departments(this.hospitalId)
          const match = list.find((d) => d.code === this.departmentCode)
          if (!match) {
            this.setData({ loading: false, missingDepartment: true })
            return
          }
          this.departmentId = match.id
          this.setData({ departmentName: match.name })
        }
        await this.refresh()
        this.ready = true
        this.startRefresh()
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    async refresh() {
      const now = clock.now()
      const list = await hospitals.schedules(this.hospitalId, {
        department_id: this.departmentId, date_from: format.isoDay(now), date_to: format.isoDay(now, SEARCH_DAYS - 1),
      })
      this.sessionsByDay = {}
      list.map(scheduleView).forEach((s) => {
        (this.sessionsByDay[s.clinic_date] = this.sessionsByDay[s.clinic_date] || []).push(s)
      })
      const days = Object.keys(this.sessionsByDay).sort().map((day) => ({
        day, text: format.day(day), available: this.sessionsByDay[day].some((s) => s.remaining > 0),
      }))
      const keep = days.find((d) => d.day === this.data.selectedDay)
      const selected = keep ? keep.day : (days.find((d) => d.available) || days[0] || {}).day || ''
      this.setData({ loading: false, error: '', days, selectedDay: selected, sessions: this.sessionsByDay[selected] || [] })
    },
    startRefresh() {
      this.stopRefresh()
      this.timer = setInterval(() => this.refresh().catch(() => null), REFRESH_MS)
    },
    stopRefresh() {
      if (this.timer) clearInterval(this.timer)
      this.timer = null
    },
    chooseDay(event) {
      const day = event.currentTarget.dataset.day
      this.setData({ selectedDay: day, sessions: this.sessionsByDay[day] || [] })
    },
    chooseSlot(event) {
      const { schedule, slot } = event.currentTarget.dataset
      const session = this.data.sessions.find((s) => s.id === schedule)
      const chosen = session && session.slots.find((s) => s.id === slot)
      if (!chosen || chosen.full) return
      handoff.put('slot', { hospitalId: this.hospitalId, schedule: session, slot: chosen })
      platform.navigateTo(`/booking/pages/confirm/index?schedule_id=${session.id}&slot_id=${chosen.id}`)
    },
    chooseDepartment() {
      platform.redirectTo('/booking/pages/departments/index')
    },
  },
})
