export type PossibleTypesResultData = {
  possibleTypes: {
    AttachSmsActionResult: ['AttachSmsActionSuccess', 'AuthorizationError', 'NotFoundError', 'ValidationError']
    ClearTwilioCredentialsResult: ['AuthorizationError', 'ClearTwilioCredentialsSuccess', 'ValidationError']
    CreateApiKeyResult: ['AuthorizationError', 'CreateApiKeySuccess', 'NotFoundError', 'ValidationError']
    CreateCampaignResult: ['AuthorizationError', 'CreateCampaignSuccess', 'ValidationError']
    CreateSmsActionResult: ['AlreadyExistsError', 'AuthorizationError', 'CreateSmsActionSuccess', 'ProviderError', 'ValidationError']
    CreateUserResult: ['AlreadyExistsError', 'AuthorizationError', 'CreateUserSuccess', 'ValidationError']
    DeleteSmsActionResult: ['AuthorizationError', 'DeleteSmsActionSuccess', 'NotFoundError', 'ValidationError']
    DetachSmsActionResult: ['AuthorizationError', 'DetachSmsActionSuccess', 'NotFoundError', 'ValidationError']
    Error: ['AlreadyExistsError', 'AuthorizationError', 'NotFoundError', 'ProviderError', 'SendSmsError', 'ValidationError']
    PreviewSmsResult: ['PreviewSmsSuccess', 'SendSmsError']
    PreviewSmsToolCallResult: ['PreviewSmsToolCallSuccess', 'SendSmsError']
    RevokeApiKeyResult: ['AuthorizationError', 'NotFoundError', 'RevokeApiKeySuccess', 'ValidationError']
    SendSmsResult: ['SendSmsError', 'SendSmsSuccess']
    SendSmsToolCallResult: ['SendSmsError', 'SendSmsToolCallSuccess']
    SetEnabledProvidersResult: ['AuthorizationError', 'NotFoundError', 'SetEnabledProvidersSuccess', 'ValidationError']
    SetTwilioCredentialsResult: ['AuthorizationError', 'ProviderError', 'SetTwilioCredentialsSuccess', 'ValidationError']
    SetUserLimitsResult: ['AuthorizationError', 'NotFoundError', 'SetUserLimitsSuccess', 'ValidationError']
    UpdateCampaignResult: ['AuthorizationError', 'NotFoundError', 'UpdateCampaignSuccess', 'ValidationError']
    UpdateSmsActionResult: [
      'AlreadyExistsError',
      'AuthorizationError',
      'NotFoundError',
      'ProviderError',
      'UpdateSmsActionSuccess',
      'ValidationError',
    ]
  }
}
const result: PossibleTypesResultData = {
  possibleTypes: {
    AttachSmsActionResult: ['AttachSmsActionSuccess', 'AuthorizationError', 'NotFoundError', 'ValidationError'],
    ClearTwilioCredentialsResult: ['AuthorizationError', 'ClearTwilioCredentialsSuccess', 'ValidationError'],
    CreateApiKeyResult: ['AuthorizationError', 'CreateApiKeySuccess', 'NotFoundError', 'ValidationError'],
    CreateCampaignResult: ['AuthorizationError', 'CreateCampaignSuccess', 'ValidationError'],
    CreateSmsActionResult: ['AlreadyExistsError', 'AuthorizationError', 'CreateSmsActionSuccess', 'ProviderError', 'ValidationError'],
    CreateUserResult: ['AlreadyExistsError', 'AuthorizationError', 'CreateUserSuccess', 'ValidationError'],
    DeleteSmsActionResult: ['AuthorizationError', 'DeleteSmsActionSuccess', 'NotFoundError', 'ValidationError'],
    DetachSmsActionResult: ['AuthorizationError', 'DetachSmsActionSuccess', 'NotFoundError', 'ValidationError'],
    Error: ['AlreadyExistsError', 'AuthorizationError', 'NotFoundError', 'ProviderError', 'SendSmsError', 'ValidationError'],
    PreviewSmsResult: ['PreviewSmsSuccess', 'SendSmsError'],
    PreviewSmsToolCallResult: ['PreviewSmsToolCallSuccess', 'SendSmsError'],
    RevokeApiKeyResult: ['AuthorizationError', 'NotFoundError', 'RevokeApiKeySuccess', 'ValidationError'],
    SendSmsResult: ['SendSmsError', 'SendSmsSuccess'],
    SendSmsToolCallResult: ['SendSmsError', 'SendSmsToolCallSuccess'],
    SetEnabledProvidersResult: ['AuthorizationError', 'NotFoundError', 'SetEnabledProvidersSuccess', 'ValidationError'],
    SetTwilioCredentialsResult: ['AuthorizationError', 'ProviderError', 'SetTwilioCredentialsSuccess', 'ValidationError'],
    SetUserLimitsResult: ['AuthorizationError', 'NotFoundError', 'SetUserLimitsSuccess', 'ValidationError'],
    UpdateCampaignResult: ['AuthorizationError', 'NotFoundError', 'UpdateCampaignSuccess', 'ValidationError'],
    UpdateSmsActionResult: [
      'AlreadyExistsError',
      'AuthorizationError',
      'NotFoundError',
      'ProviderError',
      'UpdateSmsActionSuccess',
      'ValidationError',
    ],
  },
}
export default result
