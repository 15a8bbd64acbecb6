/** Step 1 of booking: the hospital, then a department (grouped, searchable by name). */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const hospitals = require('../../../services/hospitals')
const errors = require('../../../services/errors')

Component({
  behaviors: [pageBehavior],
  data: {
    loading: true, error: '', hospital: null, hospitalNames: [], hospitalIndex: 0, keyword: '', groups: [],
  },
  methods: {
    onLoad() {
      this.load()
    },
    async load() {
      this.setData({ loading: true, error: '' })
      try {
        const { hospital, all } = await hospitals.current()
        this.all = all
        this.setData({ hospital, hospitalNames: all.map((h) => h.name), hospitalIndex: Math.max(0, all.indexOf(hospital)) })
        await this.loadDepartments()
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    async loadDepartments() {
      this.departments = this.data.hospital ? await hospitals.departments(this.data.hospital.id) : []
      this.setData({ loading: false })
      this.filter()
    },
    filter() {
      const keyword = this.data.keyword.trim()
      const list = keyword ? this.departments.filter((d) => d.name.indexOf(keyword) >= 0) : this.departments
      this.setData({ groups: hospitals.groupByCategory(list) })
    },
    onKeyword(event) {
      this.setData({ keyword: event.detail.value })
      this.filter()
    },
    async onHospitalChange(event) {
      const hospital = this.all[Number(event.detail.value)]
      if (!hospital) return
      hospitals.choose(hospital)
      this.setData({ hospital, hospitalIndex: Number(event.detail.value), loading: true })
      try {
        await this.loadDepartments()
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    open(event) {
      const { id, name } = event.currentTarget.dataset
      platform.navigateTo(`/booking/pages/schedules/index?hospital_id=${this.data.hospital.id}`
        + `&department_id=${id}&department_name=${encodeURIComponent(name)}`)
    },
  },
})
