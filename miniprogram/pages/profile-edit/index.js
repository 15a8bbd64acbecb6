/**
 * Add a 就诊人 with real-name data, or change one's relationship and phone. Name and document
 * are fixed once registered (bookings and records hang on them), so editing shows them
 * read-only; a wrong one is removed and added again. Checks run as the person types; the
 * backend's own field messages are shown next to the field they concern.
 */
const pageBehavior = require('../../behaviors/page')
const platform = require('../../platform/index')
const profiles = require('../../services/profiles')
const errors = require('../../services/errors')
const labels = require('../../utils/labels')
const validate = require('../../utils/validate')
const format = require('../../utils/format')

const EMPTY_FORM = {
  relationship: '', name: '', document_type: 'resident_id', document_number: '', sex: '', birth_date: '', phone: '',
}

Component({
  behaviors: [pageBehavior],
  data: {
    editing: false,
    loading: false,
    saving: false,
    form: { ...EMPTY_FORM },
    profile: null,
    fieldErrors: {},
    formError: '',
    derived: '',
    relationshipLabels: labels.RELATIONSHIPS.map((r) => r.label),
    documentLabels: labels.DOCUMENT_TYPES.map((d) => d.label),
    sexLabels: labels.SEXES.map((s) => s.label),
    relationshipIndex: -1,
    documentIndex: 0,
    sexIndex: -1,
    today: '',
  },
  methods: {
    onLoad(query = {}) {
      this.setData({ today: format.isoDay(Date.now()) })
      if (query.id) {
        this.id = query.id
        platform.setTitle('修改就诊人')
        this.setData({ editing: true, loading: true })
        this.load()
      } else {
        platform.setTitle('添加就诊人')
      }
    },
    async load() {
      try {
        const profile = profiles.view(await profiles.get(this.id))
        this.setData({
          loading: false, profile,
          form: { ...EMPTY_FORM, relationship: profile.relationship },
          relationshipIndex: labels.RELATIONSHIPS.findIndex((r) => r.value === profile.relationship),
        })
      } catch (err) {
        this.setData({ loading: false, formError: errors.messageOf(err) })
      }
    },
    setField(field, value, extra = {}) {
      const fieldErrors = { ...this.data.fieldErrors }
      delete fieldErrors[field]
      this.setData({ [`form.${field}`]: value, fieldErrors, formError: '', ...extra })
      if (field === 'document_number' || field === 'document_type') this.updateDerived()
    },
    onRelationship(event) {
      const index = Number(event.detail.value)
      this.setField('relationship', labels.RELATIONSHIPS[index].value, { relationshipIndex: index })
    },
    onDocumentType(event) {
      const index = Number(event.detail.value)
      this.setField('document_type', labels.DOCUMENT_TYPES[index].value, { documentIndex: index })
    },
    onSex(event) {
      const index = Number(event.detail.value)
      this.setField('sex', labels.SEXES[index].value, { sexIndex: index })
    },
    onBirthDate(event) {
      this.setField('birth_date', event.detail.value)
    },
    onInput(event) {
      this.setField(event.currentTarget.dataset.field, event.detail.value)
    },
    /** A resident ID already says sex and birth date: show them instead of asking. */
    updateDerived() {
      const { document_type: type, document_number: number } = this.data.form
      if (type !== 'resident_id' || validate.clean(number).length !== 18) {
        this.setData({ derived: '' })
        return
      }
      const parsed = validate.parseResidentId(number)
      this.setData({
        derived: parsed.error ? '' : `${labels.labelOf(labels.SEXES, parsed.sex)} · ${parsed.birthDate} 出生`,
      })
    },
    check() {
      const form = this.data.form
      const found = {}
      if (!form.relationship) found.relationship = '请选择与您的关系。'
      if (!this.data.editing) {
        const nameError = validate.checkName(form.name)
        if (nameError) found.name = nameError
        const documentError = validate.checkDocument(form.document_type, form.document_number)
        if (documentError) found.document_number = documentError
        if (form.document_type !== 'resident_id') {
          if (!form.sex) found.sex = '请选择性别。'
          if (!form.birth_date) found.birth_date = '请填写出生日期。'
        }
      }
      const phoneError = validate.checkMobile(form.phone)
      if (phoneError) found.phone = phoneError
      return found
    },
    body() {
      const form = this.data.form
      if (this.data.editing) {
        const body = { relationship: form.relationship }
        if (form.phone.trim()) body.phone = form.phone.trim()
        return body
      }
      const body = {
        relationship: form.relationship, name: form.name.trim(), document_type: form.document_type,
        document_number: validate.clean(form.document_number),
      }
      if (form.document_type !== 'resident_id') Object.assign(body, { sex: form.sex, birth_date: form.birth_date })
      if (form.phone.trim()) body.phone = form.phone.trim()
      return body
    },
    async save() {
      if (this.data.saving) return
      const found = this.check()
      if (Object.keys(found).length) {
        this.setData({ fieldErrors: found, formError: '请按提示修改后再保存。' })
        return
      }
      this.setData({ saving: true })
      try {
        if (this.data.editing) await profiles.update(this.id, this.body())
        else await profiles.create(this.body())
        platform.toast(this.data.editing ? '已保存' : '已添加', 'success')
        await platform.navigateBack() // the page below reads its list again on show
      } catch (err) {
        const fieldErrors = errors.fieldMessages(err)
        this.setData({
          fieldErrors,
          formError: Object.keys(fieldErrors).length ? '请按提示修改后再保存。' : errors.messageOf(err),
        })
      } finally {
        this.setData({ saving: false })
      }
    },
    async remove() {
      const ok = await platform.confirm({
        title: '删除就诊人',
        content: `删除后不能再为${this.data.profile.name}挂号、问诊，已有的记录会保留。确定删除吗？`,
        confirmText: '删除',
      })
      if (!ok) return
      try {
        await profiles.remove(this.id)
        platform.toast('已删除', 'success')
        await platform.navigateBack()
      } catch (err) {
        this.fail(err)
      }
    },
  },
})
