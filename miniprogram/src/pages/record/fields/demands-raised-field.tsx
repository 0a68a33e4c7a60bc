import { Picker, Text, Textarea, View } from '@tarojs/components';
import Field from '@/components/field';
import FieldError from '@/components/field-error';
import { DEMAND_CATEGORY_OPTIONS } from '@/services/enum-options';
import { label } from '@/services/labels';
import { MAX_DEMANDS, type FieldErrors, type RecordForm } from '../form';

type DemandRaised = RecordForm['demandsRaised'][number];

const CATEGORY_LABELS = DEMAND_CATEGORY_OPTIONS.map((option) => option.label);

interface DemandsRaisedFieldProps {
  /** The field's label; a correction says "补充遗漏的诉求". */
  label?: string;
  demands: readonly DemandRaised[];
  /** The whole form's messages: the list's own, and each demand's ("demandsRaised.<index>"). */
  errors: FieldErrors;
  onAdd(): void;
  onUpdate(index: number, patch: Partial<DemandRaised>): void;
  onRemove(index: number): void;
}

/** The demands the household raised on this visit, each with its category; they become open demands. */
export default function DemandsRaisedField({ label: fieldLabel = '听取的诉求', demands, errors, onAdd, onUpdate, onRemove }: DemandsRaisedFieldProps) {
  return (
    <Field id="field-demands" label={fieldLabel} hint="可添加多条" error={errors.demandsRaised}>
      {demands.map((demand, index) => (
        <View key={index} className={`record-form__demand ${errors[`demandsRaised.${index}`] ? 'field--invalid' : ''}`}>
          <View className="record-form__demand-head">
            <Picker
              mode="selector"
              range={CATEGORY_LABELS}
              value={DEMAND_CATEGORY_OPTIONS.findIndex((option) => option.value === demand.category)}
              onChange={(event) => onUpdate(index, { category: DEMAND_CATEGORY_OPTIONS[Number(event.detail.value)]?.value ?? 'OTHER' })}
            >
              <View className="chip chip--on">{label('DemandCategory', demand.category)} ▾</View>
            </Picker>
            <Text className="link" onClick={() => onRemove(index)}>
              删除
            </Text>
          </View>
          <Textarea
            className="textarea record-form__demand-text"
            value={demand.text}
            placeholder="群众反映的诉求"
            onInput={(event) => onUpdate(index, { text: event.detail.value })}
          />
          <FieldError message={errors[`demandsRaised.${index}`]} />
        </View>
      ))}
      {demands.length < MAX_DEMANDS && (
        <View className="record-form__add link" onClick={onAdd}>
          ＋ 添加诉求
        </View>
      )}
    </Field>
  );
}
