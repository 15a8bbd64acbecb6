/** 历次变化: one test across reports, drawn with its reference band, and the same in a table. */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const format = require('../../../utils/format')
const reports = require('../../services/reports')

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', trend: null, rows: [], band: '' },
  methods: {
    onLoad(query) {
      this.patientId = query.patient_id
      this.testCode = decodeURIComponent(query.test_code || '')
      this.load()
    },
    async load() {
      try {
        const trend = await reports.trend(this.patientId, this.testCode)
        platform.setTitle(`${trend.name}的变化`)
        const rows = trend.points.slice().reverse().map((p) => ({
          when: format.dateTime(p.when), value: p.value,
          flagText: { H: '偏高', HH: '明显偏高', L: '偏低', LL: '明显偏低' }[p.flag] || '',
        }))
        this.setData({ loading: false, error: '', trend, rows, band: bandText(trend) })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
  },
})

function bandText(trend) {
  const low = trend.band_low
  const high = trend.band_high
  if (low !== null && high !== null) return `参考范围 ${low}～${high} ${trend.unit}`
  if (high !== null) return `参考范围 低于${high} ${trend.unit}`
  if (low !== null) return `参考范围 高于${low} ${trend.unit}`
  return ''
}
