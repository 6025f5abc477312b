export declare const CANCEL: 0;
export declare const ALLOWED: 1;
export declare const FLUSH: 2;
export declare const SEQ: 3;
export declare const CONTROL_SLOTS: 4;
export declare const ESPEAK_SAMPLE_RATE: 22050;
