/**
 * 腰围和吸烟: the resident tells the family doctor their waist and whether they smoke now, for the
 * 10-year heart-risk estimate in the health portrait. Each save is a new dated answer; the page
 * shows the latest ones and who gave them.
 */
const pageBehavior = require('../../../behaviors/page')
const errors = require('../../../services/errors')
const riskFactors = require('../../services/risk_factors')

const WORDS = { waist_cm: '腰围', current_smoker: '吸烟' }
const VALUES = { yes: '现在吸烟', no: '不吸烟或已戒烟' }
const SOURCES = { doctor: '医生登记', resident: '自己填写' }

function known(entries) {
  return entries.map((e) => ({
    factor: e.factor,
    words: `${WORDS[e.factor]}：${e.factor === 'waist_cm' ? `${e.value}厘米` : VALUES[e.value]}`
      + `（${e.observed_on}，${SOURCES[e.source] || ''}）`,
  }))
}

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', saved: '', saving: false, patientId: '', patientName: '',
    known: [], waist: '', smoker: '' },
  methods: {
    onLoad(query) {
      this.setData({
        patientId: (query && query.patient_id) || '',
        patientName: query && query.name ? decodeURIComponent(query.name) : '',
      })
      this.load()
    },
    async load() {
      try {
        const found = await riskFactors.get(this.data.patientId)
        this.setData({ loading: false, error: '', known: known(found.entries) })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    onWaist(event) {
      this.setData({ waist: event.detail.value })
    },
    chooseSmoker(event) {
      this.setData({ smoker: event.currentTarget.dataset.value })
    },
    async save() {
      if (this.data.saving) return
      const body = { patient_id: this.data.patientId }
      const waist = String(this.data.waist || '').trim()
      if (waist) body.waist_cm = Number(waist)
      if (this.data.smoker) body.current_smoker = this.data.smoker
      if (!waist && !this.data.smoker) {
        this.setData({ error: '请填写腰围，或选择是否吸烟。', saved: '' })
        return
      }
      if (waist && !Number.isFinite(body.waist_cm)) {
        this.setData({ error: '腰围请填数字，例如 85。', saved: '' })
        return
      }
      this.setData({ saving: true, error: '', saved: '' })
      try {
        await riskFactors.save(body)
        const found = await riskFactors.get(this.data.patientId)
        this.setData({ saving: false, saved: '已保存，家庭医生会看到。', known: known(found.entries),
          waist: '', smoker: '' })
      } catch (err) {
        this.setData({ saving: false, error: errors.messageOf(err) })
      }
    },
  },
})
