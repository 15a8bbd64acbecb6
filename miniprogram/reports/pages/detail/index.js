/**
 * One report: the meaning at the top (and the critical-value banner, "报告已更正"), then every
 * value with its flag, the lab's interval and plain words; an imaging report's 诊断意见 is
 * explained sentence by sentence. Each value with earlier results opens its trend.
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const reports = require('../../services/reports')

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', report: null, results: [], imaging: [] },
  methods: {
    onLoad(query) {
      this.reportId = query.report_id
      this.patientId = query.patient_id
      this.load()
    },
    async load() {
      try {
        const report = await reports.get(this.reportId)
        platform.setTitle(report.title)
        this.setData({
          loading: false, error: '', report: reports.view(report),
          results: report.results.map(reports.resultView), imaging: report.imaging,
        })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    toggle(event) {
      const index = event.currentTarget.dataset.index
      this.setData({ [`results[${index}].open`]: !this.data.results[index].open })
    },
    trend(event) {
      const code = event.currentTarget.dataset.code
      platform.navigateTo(`/reports/pages/trend/index?patient_id=${this.patientId}&test_code=${encodeURIComponent(code)}`)
    },
    callHospital() {
      platform.makePhoneCall(this.data.report.hospital_phone)
    },
    call120() {
      platform.makePhoneCall('120')
    },
  },
})
